// Sandbox lifetime: the counting allocator, open/close, error text buffers.
#include "qcb_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char qcb__key_template = 0;
const char qcb__key_loaded = 0;
const char qcb__key_refs = 0;

// Refuses (returns NULL) past the limit. Lua then runs an emergency collection and retries
// once before raising "not enough memory", so garbage never counts against a rule.
static void *qcb_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  qcb_sandbox *S = ud;
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    free(ptr);
    S->used -= old;
    return NULL;
  }
  if (nsize > old) {
    size_t headroom = S->limit > S->used ? S->limit - S->used : 0;
    if (nsize - old > headroom) {
      S->memory_hit = 1;
      return NULL;
    }
  }
  void *p = realloc(ptr, nsize);
  if (p == NULL) {
    if (nsize > old) S->memory_hit = 1;
    return NULL;
  }
  S->used = S->used - old + nsize;
  return p;
}

// Every entry into Lua is protected, so reaching the panic handler is a LuaBridge bug.
static int qcb_panic(lua_State *L) {
  const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "(not a string)";
  fprintf(stderr, "qcpass: unprotected Lua error (a LuaBridge bug): %s\n", msg);
  fflush(stderr);
  abort();
}

static int init_helper(lua_State *L) {
  return qcb__init_libraries(L);
}

int qcb_open(size_t memory_limit, double timeout_seconds, const char *lib_dir, qcb_sandbox **out) {
  *out = NULL;
  qcb_sandbox *S = calloc(1, sizeof *S);
  if (S == NULL) return QCB_ERR_MEMORY;
  S->limit = memory_limit;
  S->timeout = timeout_seconds > 0 ? timeout_seconds : 0;
  if (lib_dir != NULL && (S->lib_dir = strdup(lib_dir)) == NULL) {
    free(S);
    return QCB_ERR_MEMORY;
  }
  if (qcb__watchdog_init(S) != 0) {
    free(S->lib_dir);
    free(S);
    return QCB_ERR_RUNTIME;
  }
  lua_State *L = lua_newstate(qcb_alloc, S);
  if (L == NULL) {
    qcb__watchdog_destroy(S);
    free(S->lib_dir);
    free(S);
    return QCB_ERR_MEMORY;
  }
  S->L = L;
  *(qcb_sandbox **)lua_getextraspace(L) = S;
  lua_atpanic(L, qcb_panic);
  lua_pushcfunction(L, init_helper);
  int status = lua_pcall(L, 0, 0, 0);
  if (status != LUA_OK) {
    int result = status == LUA_ERRMEM ? QCB_ERR_MEMORY : QCB_ERR_RUNTIME;
    qcb_close(S);
    return result;
  }
  *out = S;
  return QCB_OK;
}

void qcb_close(qcb_sandbox *S) {
  if (S == NULL) return;
  qcb__watchdog_destroy(S); // joins the thread before the state it hooks goes away
  if (S->L) lua_close(S->L);
  free(S->lib_dir);
  free(S->message.data);
  free(S->traceback.data);
  free(S->limit_traceback.data);
  free(S);
}

lua_State *qcb_state(const qcb_sandbox *S) { return S->L; }

void qcb_set_callbacks(qcb_sandbox *S, void *ctx, qcb_dispatch_fn dispatch, qcb_print_fn print) {
  S->ctx = ctx;
  S->dispatch = dispatch;
  S->print = print;
}

size_t qcb_memory_used(const qcb_sandbox *S) { return S->used; }

void qcb_collect(qcb_sandbox *S) { lua_gc(S->L, LUA_GCCOLLECT, 0); }

void qcb_set_native_error(qcb_sandbox *S, const char *msg, size_t len) {
  if (len > QCB_NATIVE_ERROR_MAX) len = QCB_NATIVE_ERROR_MAX;
  memcpy(S->native_error, msg, len);
  S->native_error_len = len;
}

void qcb__text_set(qcb_text *t, const char *s, size_t n) {
  if (n > QCB_TEXT_MAX) n = QCB_TEXT_MAX;
  if (n + 1 > t->cap) {
    char *p = realloc(t->data, n + 1);
    if (p == NULL) {
      t->len = 0;
      return;
    }
    t->data = p;
    t->cap = n + 1;
  }
  memcpy(t->data, s, n);
  t->data[n] = '\0';
  t->len = n;
}

void qcb__text_clear(qcb_text *t) { t->len = 0; }

static const char *text_get(const qcb_text *t, size_t *len) {
  *len = t->len;
  return t->len ? t->data : "";
}

const char *qcb_error_message(const qcb_sandbox *S, size_t *len) { return text_get(&S->message, len); }
const char *qcb_error_traceback(const qcb_sandbox *S, size_t *len) { return text_get(&S->traceback, len); }
