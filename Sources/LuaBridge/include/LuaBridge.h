// LuaBridge: the only C between Swift and Lua 5.4.
//
// Why a C layer at all: a Lua error is a longjmp, and a longjmp across a Swift frame is
// undefined behaviour. Everything that can raise (allocating, loading, calling) happens
// here inside lua_pcall; Swift only ever sees status codes. Swift functions called from
// Lua go through one C trampoline that raises *after* Swift has returned.
//
// Ownership: one qcb_sandbox per lua_State; the struct hangs off lua_getextraspace and
// the allocator's ud, so there is no global mutable state and different sandboxes may
// run on different threads at once. A sandbox itself is used by one thread at a time.
#ifndef LUABRIDGE_H
#define LUABRIDGE_H

#include <stddef.h>
#include <stdint.h>

typedef struct lua_State lua_State;
typedef struct qcb_sandbox qcb_sandbox;

// Results of every qcb_* entry point that runs or loads Lua.
#define QCB_OK 0
#define QCB_ERR_RUNTIME 1
#define QCB_ERR_SYNTAX 2
#define QCB_ERR_MEMORY 3
#define QCB_ERR_TIME 4

// What a native (Swift) function returns to the trampoline.
#define QCB_NATIVE_OK 0
#define QCB_NATIVE_ERROR 1          // message left with qcb_set_native_error
#define QCB_NATIVE_OUT_OF_MEMORY 2  // a protected helper ran out of memory

// Value tape opcodes (Swift writes, qcb_tape.c reads). Layout, native endian:
//   tape   := u32 count, value*count
//   value  := NIL | FALSE | TRUE | INT i64 | NUMBER f64 | STRING u32 len, bytes
//           | TABLE u32 narr, u32 nrec, entry*, END | REF i32
//   entry  := ITEM value (next array index) | KEY_STRING u32 len, bytes, value | KEY_INT i64, value
// Mirrored by TapeOp in Sources/QCLua/Sandbox/ValueTape.swift.
#define QCB_TAPE_NIL 0
#define QCB_TAPE_FALSE 1
#define QCB_TAPE_TRUE 2
#define QCB_TAPE_INT 3
#define QCB_TAPE_NUMBER 4
#define QCB_TAPE_STRING 5
#define QCB_TAPE_TABLE 6
#define QCB_TAPE_END 7
#define QCB_TAPE_REF 8
#define QCB_TAPE_ITEM 9
#define QCB_TAPE_KEY_STRING 10
#define QCB_TAPE_KEY_INT 11

// Deepest table nesting either direction accepts (the Swift decoder uses its own, lower, limit).
#define QCB_MAX_TAPE_DEPTH 200

/// Called by the trampoline with the native's id; arguments are at stack indices 1...gettop.
/// On QCB_NATIVE_OK, *tape/*tape_len point at the results tape, valid until the trampoline
/// has pushed it (the trampoline does so before any other Lua code runs).
typedef int (*qcb_dispatch_fn)(void *ctx, int native_id, const void **tape, size_t *tape_len);
/// `print` output: one call per print, tab-joined, without the trailing newline.
typedef void (*qcb_print_fn)(void *ctx, const char *bytes, size_t len);

/// Creates a sandboxed state. timeout_seconds <= 0 disables the time limit; lib_dir may be
/// NULL (then `require` always fails). On failure returns the status and *out = NULL.
int qcb_open(size_t memory_limit, double timeout_seconds, const char *lib_dir, qcb_sandbox **out);
void qcb_close(qcb_sandbox *S);
lua_State *qcb_state(const qcb_sandbox *S);
void qcb_set_callbacks(qcb_sandbox *S, void *ctx, qcb_dispatch_fn dispatch, qcb_print_fn print);
size_t qcb_memory_used(const qcb_sandbox *S);

/// Loads `src` as text (never binary) in a fresh environment and runs it, time limit armed.
/// On QCB_OK the *nresults results are on top of the stack (caller pops them).
int qcb_run(qcb_sandbox *S, const char *src, size_t len, const char *chunkname, int *nresults);
/// Calls the function held by registry ref `ref` with the arguments on `tape`, time limit armed.
int qcb_call_ref(qcb_sandbox *S, int ref, const void *tape, size_t len, int *nresults);

/// Binds native `native_id` at a dotted path ("qc.hist") in the globals template that
/// every environment created afterwards copies.
int qcb_register(qcb_sandbox *S, const char *path, int native_id);
/// Sets the single value on `tape` at a dotted path in the globals template.
int qcb_set_global(qcb_sandbox *S, const char *path, const void *tape, size_t len);

/// Anchors the function at stack index `idx` in the registry; the same function always
/// gets the same ref. Protected: returns QCB_ERR_MEMORY if it cannot allocate.
int qcb_ref_function(qcb_sandbox *S, int idx, int *ref);
void qcb_unref(qcb_sandbox *S, int ref);
/// A full garbage collection.
void qcb_collect(qcb_sandbox *S);

/// For natives: leaves the error message the trampoline will raise (copied, truncated to 4 KiB).
void qcb_set_native_error(qcb_sandbox *S, const char *msg, size_t len);

/// The message / traceback of the last failed qcb_run, qcb_call_ref, qcb_register or
/// qcb_set_global. The traceback is "" for syntax and memory errors.
const char *qcb_error_message(const qcb_sandbox *S, size_t *len);
const char *qcb_error_traceback(const qcb_sandbox *S, size_t *len);

#endif
