// Entering Lua from Swift (always lua_pcall with a traceback handler) and Swift from Lua
// (the trampoline). Swift code never has a Lua error unwind through it.
#include "qcb_internal.h"

#include <string.h>

// --- errors ------------------------------------------------------------------------------

void qcb__trim_traceback(const char **s, size_t *n) {
  // Our own entry helpers show up as a trailing "[C]: in ?"; they mean nothing to a rule author.
  static const char tail[] = "\n\t[C]: in ?";
  const size_t tn = sizeof tail - 1;
  while (*n >= tn && memcmp(*s + *n - tn, tail, tn) == 0) *n -= tn;
}

// Message handler for every call into Lua: keeps the traceback aside (in C memory) and
// returns the message as a string.
int qcb__msgh(lua_State *L) {
  qcb_sandbox *S = qcb__sandbox(L);
  int t = lua_type(L, 1);
  if (t == LUA_TSTRING || t == LUA_TNUMBER) {
    lua_pushvalue(L, 1);
    lua_tostring(L, -1);
  } else if (!(luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)) {
    lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, NULL, 1);
  size_t n;
  const char *tb = lua_tolstring(L, -1, &n);
  qcb__trim_traceback(&tb, &n);
  qcb__text_set(&S->traceback, tb, n);
  lua_pop(L, 1);
  return 1;
}

// Used by the sandbox's pcall/xpcall after their protected call returned `status`.
void qcb__reraise_if_limited(lua_State *L, int status) {
  qcb_sandbox *S = qcb__sandbox(L);
  if (S->time_hit) {
    lua_pushstring(L, S->limit_message);
    lua_error(L);
  }
  if (status == LUA_ERRMEM || (status != LUA_OK && S->memory_hit)) {
    // Lua's interned memory-error string: lua_error re-raises it as LUA_ERRMEM.
    lua_pushliteral(L, "not enough memory");
    lua_error(L);
  }
}

// A refused allocation alone is not a failure (the emergency collection may have saved
// the call); a failure after one is the memory limit.
static int classify(qcb_sandbox *S, int status) {
  if (S->time_hit) return QCB_ERR_TIME;
  if (status == LUA_OK) return QCB_OK;
  if (status == LUA_ERRMEM || S->memory_hit) return QCB_ERR_MEMORY;
  if (status == LUA_ERRSYNTAX) return QCB_ERR_SYNTAX;
  return QCB_ERR_RUNTIME;
}

static void record_error(qcb_sandbox *S, int result) {
  lua_State *L = S->L;
  switch (result) {
  case QCB_ERR_TIME:
    qcb__text_set(&S->message, S->limit_message, strlen(S->limit_message));
    qcb__text_set(&S->traceback, S->limit_traceback.data ? S->limit_traceback.data : "", S->limit_traceback.len);
    break;
  case QCB_ERR_MEMORY:
    qcb__text_set(&S->message, "not enough memory", 17);
    qcb__text_clear(&S->traceback);
    break;
  default:
    if (lua_type(L, -1) == LUA_TSTRING) {
      size_t n;
      const char *m = lua_tolstring(L, -1, &n);
      qcb__text_set(&S->message, m, n);
    } else {
      qcb__text_set(&S->message, "(error object is not a string)", 30);
    }
    if (result == QCB_ERR_SYNTAX) qcb__text_clear(&S->traceback);
  }
}

static void set_message(qcb_sandbox *S, const char *m) { qcb__text_set(&S->message, m, strlen(m)); }

// --- call framing ------------------------------------------------------------------------

static int begin_call(qcb_sandbox *S) {
  if (S->depth == 0) {
    S->time_hit = 0;
    S->memory_hit = 0;
    if (qcb__watchdog_start(S) != 0) {
      set_message(S, "cannot start the time-limit watchdog thread");
      qcb__text_clear(&S->traceback);
      return QCB_ERR_RUNTIME;
    }
  }
  S->depth++;
  return QCB_OK;
}

static void end_call(qcb_sandbox *S, int result) {
  if (--S->depth > 0) return;
  qcb__watchdog_stop(S);
  if (result == QCB_ERR_MEMORY) lua_gc(S->L, LUA_GCCOLLECT, 0); // give the next call its full budget
}

// Stack on entry: base, msgh, then either results (OK) or the error message.
static int finish(qcb_sandbox *S, int status, int base, int *nresults) {
  lua_State *L = S->L;
  int result = classify(S, status);
  if (result == QCB_OK) {
    lua_remove(L, base + 1);
    *nresults = lua_gettop(L) - base;
  } else {
    record_error(S, result);
    lua_settop(L, base);
  }
  end_call(S, result);
  return result;
}

typedef struct {
  const char *src;
  size_t len;
  const char *chunkname;
} load_args;

// Returns (function) or (nil, message) for a syntax error.
static int load_helper(lua_State *L) {
  load_args *a = lua_touserdata(L, 1);
  lua_settop(L, 0);
  const char *name = lua_pushfstring(L, "@%s", a->chunkname);
  if (qcb__load_text(L, a->src, a->len, name)) return 1;
  lua_pushnil(L);
  lua_insert(L, -2);
  return 2;
}

int qcb_run(qcb_sandbox *S, const char *src, size_t len, const char *chunkname, int *nresults) {
  lua_State *L = S->L;
  int base = lua_gettop(L);
  *nresults = 0;
  qcb__text_clear(&S->traceback);
  if (!lua_checkstack(L, 4)) {
    set_message(S, "not enough memory");
    return QCB_ERR_MEMORY;
  }
  int st = begin_call(S);
  if (st != QCB_OK) return st;
  lua_pushcfunction(L, qcb__msgh);
  load_args a = {src, len, chunkname};
  lua_pushcfunction(L, load_helper);
  lua_pushlightuserdata(L, &a);
  int status = lua_pcall(L, 1, 2, 0);
  if (status == LUA_OK) {
    if (lua_isnil(L, -2)) {
      record_error(S, QCB_ERR_SYNTAX);
      qcb__text_clear(&S->traceback);
      lua_settop(L, base);
      end_call(S, QCB_ERR_SYNTAX);
      return QCB_ERR_SYNTAX;
    }
    lua_pop(L, 1);
    status = lua_pcall(L, 0, LUA_MULTRET, base + 1);
  }
  return finish(S, status, base, nresults);
}

typedef struct {
  int ref;
  const void *tape;
  size_t len;
} call_args;

static int call_helper(lua_State *L) {
  call_args *a = lua_touserdata(L, 1);
  lua_settop(L, 0);
  if (lua_rawgeti(L, LUA_REGISTRYINDEX, a->ref) != LUA_TFUNCTION)
    return luaL_error(L, "attempt to call a released function reference");
  int n = qcb__push_tape(L, a->tape, a->len);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L);
}

int qcb_call_ref(qcb_sandbox *S, int ref, const void *tape, size_t len, int *nresults) {
  lua_State *L = S->L;
  int base = lua_gettop(L);
  *nresults = 0;
  qcb__text_clear(&S->traceback);
  if (!lua_checkstack(L, 4)) {
    set_message(S, "not enough memory");
    return QCB_ERR_MEMORY;
  }
  int st = begin_call(S);
  if (st != QCB_OK) return st;
  lua_pushcfunction(L, qcb__msgh);
  call_args a = {ref, tape, len};
  lua_pushcfunction(L, call_helper);
  lua_pushlightuserdata(L, &a);
  int status = lua_pcall(L, 1, LUA_MULTRET, base + 1);
  return finish(S, status, base, nresults);
}

// --- natives -----------------------------------------------------------------------------

// The only way Lua reaches Swift. Swift reads the arguments with non-raising calls and
// returns a status; raising and pushing results happen here, after Swift has returned.
static int trampoline(lua_State *L) {
  qcb_sandbox *S = qcb__sandbox(L);
  int id = (int)lua_tointeger(L, lua_upvalueindex(1));
  const void *tape = NULL;
  size_t len = 0;
  int rc = S->dispatch ? S->dispatch(S->ctx, id, &tape, &len) : QCB_NATIVE_ERROR;
  if (rc == QCB_NATIVE_OK) {
    lua_settop(L, 0);
    return qcb__push_tape(L, tape, len);
  }
  if (rc == QCB_NATIVE_OUT_OF_MEMORY) {
    lua_pushliteral(L, "not enough memory");
    return lua_error(L);
  }
  luaL_where(L, 1);
  lua_pushlstring(L, S->native_error, S->native_error_len);
  lua_concat(L, 2);
  return lua_error(L);
}

// --- the globals template ----------------------------------------------------------------

typedef struct {
  const char *path;
  int native_id;      // used when tape == NULL
  const void *tape;
  size_t len;
} global_args;

static int valid_identifier(const char *s, size_t n) {
  if (n == 0) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!(alpha || (i > 0 && c >= '0' && c <= '9'))) return 0;
  }
  return 1;
}

static int set_global_helper(lua_State *L) {
  global_args *a = lua_touserdata(L, 1);
  lua_settop(L, 0);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &qcb__key_template);
  const char *seg = a->path;
  for (;;) {
    const char *dot = strchr(seg, '.');
    size_t n = dot ? (size_t)(dot - seg) : strlen(seg);
    if (!valid_identifier(seg, n)) return luaL_error(L, "invalid global path '%s'", a->path);
    lua_pushlstring(L, seg, n);
    if (dot == NULL) break;
    lua_pushvalue(L, -1);
    int t = lua_rawget(L, -3);
    if (t == LUA_TNIL) {
      lua_pop(L, 1);
      lua_newtable(L);
      lua_pushvalue(L, -2);
      lua_pushvalue(L, -2);
      lua_rawset(L, -5);
    } else if (t != LUA_TTABLE) {
      return luaL_error(L, "cannot set '%s': '%s' is a %s, not a table", a->path,
                        lua_tostring(L, -2), lua_typename(L, t));
    }
    lua_remove(L, -2); // segment name
    lua_remove(L, -2); // parent
    seg = dot + 1;
  }
  // stack: parent, key
  if (a->tape) {
    if (qcb__push_tape(L, a->tape, a->len) != 1) return luaL_error(L, "expected exactly one value");
  } else {
    lua_pushinteger(L, a->native_id);
    lua_pushcclosure(L, trampoline, 1);
  }
  lua_rawset(L, -3);
  return 0;
}

static int protected_helper(qcb_sandbox *S, lua_CFunction f, void *arg, int nresults) {
  lua_State *L = S->L;
  if (!lua_checkstack(L, 3)) return LUA_ERRMEM;
  lua_pushcfunction(L, f);
  lua_pushlightuserdata(L, arg);
  return lua_pcall(L, 1, nresults, 0);
}

static int finish_helper(qcb_sandbox *S, int status) {
  if (status == LUA_OK) return QCB_OK;
  int result = status == LUA_ERRMEM ? QCB_ERR_MEMORY : QCB_ERR_RUNTIME;
  record_error(S, result);
  qcb__text_clear(&S->traceback);
  lua_pop(S->L, 1);
  return result;
}

int qcb_register(qcb_sandbox *S, const char *path, int native_id) {
  global_args a = {path, native_id, NULL, 0};
  return finish_helper(S, protected_helper(S, set_global_helper, &a, 0));
}

int qcb_set_global(qcb_sandbox *S, const char *path, const void *tape, size_t len) {
  global_args a = {path, 0, tape, len};
  return finish_helper(S, protected_helper(S, set_global_helper, &a, 0));
}

// --- function references -------------------------------------------------------------------

static int ref_helper(lua_State *L) {
  // 1: the function
  lua_rawgetp(L, LUA_REGISTRYINDEX, &qcb__key_refs);
  lua_pushvalue(L, 1);
  if (lua_rawget(L, 2) == LUA_TNUMBER) return 1;
  lua_pop(L, 1);
  lua_pushvalue(L, 1);
  int ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, 1);
  lua_pushinteger(L, ref);
  lua_rawset(L, 2);
  lua_pushinteger(L, ref);
  return 1;
}

int qcb_ref_function(qcb_sandbox *S, int idx, int *ref) {
  lua_State *L = S->L;
  idx = lua_absindex(L, idx);
  if (!lua_checkstack(L, 3)) return QCB_ERR_MEMORY;
  lua_pushcfunction(L, ref_helper);
  lua_pushvalue(L, idx);
  int status = lua_pcall(L, 1, 1, 0);
  if (status != LUA_OK) {
    lua_pop(L, 1);
    return QCB_ERR_MEMORY;
  }
  *ref = (int)lua_tointeger(L, -1);
  lua_pop(L, 1);
  return QCB_OK;
}

static int unref_helper(lua_State *L) {
  int ref = (int)(intptr_t)lua_touserdata(L, 1);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &qcb__key_refs);
  if (lua_rawgeti(L, LUA_REGISTRYINDEX, ref) == LUA_TFUNCTION) {
    lua_pushnil(L);
    lua_rawset(L, 2);
    luaL_unref(L, LUA_REGISTRYINDEX, ref);
  }
  return 0;
}

void qcb_unref(qcb_sandbox *S, int ref) {
  if (ref <= 0) return;
  int status = protected_helper(S, unref_helper, (void *)(intptr_t)ref, 0);
  if (status != LUA_OK) lua_pop(S->L, 1);
}
