// Shared between the LuaBridge .c files; not part of the public header.
#ifndef QCB_INTERNAL_H
#define QCB_INTERNAL_H

#include <lua.h>
#include <lauxlib.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "LuaBridge.h"

#define QCB_NATIVE_ERROR_MAX 4096
#define QCB_TEXT_MAX (64 * 1024)

// Malloc'd (not Lua-allocated) text, so error reporting works even at the memory limit.
typedef struct qcb_text {
  char *data;
  size_t len, cap;
} qcb_text;

// A per-sandbox thread that sleeps until the deadline and only then arms a count hook,
// so calls that finish in time pay two uncontended mutex operations and a clock read.
typedef struct qcb_watchdog {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  pthread_t thread;
  int started;             // thread created (lazily, at the first armed call)
  int active;              // a depth-0 call is running
  int idle;                // thread is in an untimed wait: starting a call must signal
  int quit;
  unsigned long gen;       // bumped per depth-0 call
  unsigned long armed_gen; // the call the hook was armed for
  struct timespec deadline;
  // Set with the hook, for long loops in C (pattern matching) that no hook reaches.
  _Atomic int expired;
} qcb_watchdog;

struct qcb_sandbox {
  lua_State *L;
  size_t used, limit;
  int memory_hit; // an allocation was refused during the current depth-0 call
  int time_hit;   // the time hook fired during the current depth-0 call
  int depth;      // nesting of qcb_run / qcb_call_ref (natives may call back into Lua)
  double timeout;
  char *lib_dir;
  void *ctx;
  qcb_dispatch_fn dispatch;
  qcb_print_fn print;
  char native_error[QCB_NATIVE_ERROR_MAX];
  size_t native_error_len;
  qcb_text message, traceback, limit_traceback;
  char limit_message[LUA_IDSIZE + 96];
  qcb_watchdog watchdog;
};

static inline qcb_sandbox *qcb__sandbox(lua_State *L) {
  return *(qcb_sandbox **)lua_getextraspace(L);
}

// Registry keys (their addresses; the bytes are never written).
extern const char qcb__key_template; // globals every new environment copies
extern const char qcb__key_loaded;   // require cache: name -> module value
extern const char qcb__key_refs;     // function -> registry ref, so refs are stable

void qcb__text_set(qcb_text *t, const char *s, size_t n);
void qcb__text_clear(qcb_text *t);

// qcb_env.c
int qcb__init_libraries(lua_State *L);
void qcb__push_new_env(lua_State *L);
int qcb__load_text(lua_State *L, const char *src, size_t len, const char *chunkname);

// qcb_tape.c
int qcb__push_tape(lua_State *L, const void *tape, size_t len);

// qcb_watchdog.c
int qcb__watchdog_init(qcb_sandbox *S);
int qcb__watchdog_start(qcb_sandbox *S);
void qcb__watchdog_stop(qcb_sandbox *S);
void qcb__watchdog_destroy(qcb_sandbox *S);
// For C loops that may run long: raises the time-limit error once the deadline passed.
void qcb__check_deadline(lua_State *L);

// qcb_match.c, qcb_tablebounds.c: library functions that long C loops are kept out of
void qcb__install_bounded_patterns(lua_State *L, int string_table);
void qcb__install_bounded_table(lua_State *L, int table_table);

// qcb_call.c
int qcb__msgh(lua_State *L);
void qcb__trim_traceback(const char **s, size_t *n);
void qcb__reraise_if_limited(lua_State *L, int status);

#endif
