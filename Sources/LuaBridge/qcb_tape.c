// Builds Swift values on the Lua stack from a byte tape (format in LuaBridge.h). Swift
// encodes a whole value tree, and one C call (already inside a protected or Lua-called C
// frame, so it may raise) builds it: a 100k-entry table costs one crossing, not 100k.
#include "qcb_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const unsigned char *p, *end;
} tape_reader;

__attribute__((noreturn)) static void malformed(lua_State *L) {
  luaL_error(L, "internal error: malformed value tape");
  abort(); // not reached: luaL_error does not return
}

static unsigned char read_op(lua_State *L, tape_reader *r) {
  if (r->p >= r->end) malformed(L);
  return *r->p++;
}

static void read_bytes(lua_State *L, tape_reader *r, void *out, size_t n) {
  if ((size_t)(r->end - r->p) < n) malformed(L);
  memcpy(out, r->p, n);
  r->p += n;
}

static uint32_t read_u32(lua_State *L, tape_reader *r) {
  uint32_t v;
  read_bytes(L, r, &v, sizeof v);
  return v;
}

static void push_string(lua_State *L, tape_reader *r) {
  uint32_t len = read_u32(L, r);
  if ((size_t)(r->end - r->p) < len) malformed(L);
  lua_pushlstring(L, (const char *)r->p, len);
  r->p += len;
}

static void push_value(lua_State *L, tape_reader *r, int depth);

static void push_table(lua_State *L, tape_reader *r, int depth) {
  uint32_t narr = read_u32(L, r), nrec = read_u32(L, r);
  if (depth >= QCB_MAX_TAPE_DEPTH) luaL_error(L, "value nested more than %d levels deep", QCB_MAX_TAPE_DEPTH);
  lua_createtable(L, narr > INT_MAX ? INT_MAX : (int)narr, nrec > INT_MAX ? INT_MAX : (int)nrec);
  lua_Integer next_index = 1;
  for (;;) {
    unsigned char op = read_op(L, r);
    switch (op) {
    case QCB_TAPE_END:
      return;
    case QCB_TAPE_ITEM:
      push_value(L, r, depth + 1);
      lua_rawseti(L, -2, next_index++);
      break;
    case QCB_TAPE_KEY_STRING:
      push_string(L, r);
      push_value(L, r, depth + 1);
      lua_rawset(L, -3);
      break;
    case QCB_TAPE_KEY_INT: {
      int64_t k;
      read_bytes(L, r, &k, sizeof k);
      push_value(L, r, depth + 1);
      lua_rawseti(L, -2, (lua_Integer)k);
      break;
    }
    default:
      malformed(L);
    }
  }
}

static void push_value(lua_State *L, tape_reader *r, int depth) {
  luaL_checkstack(L, 3, "value too large");
  unsigned char op = read_op(L, r);
  switch (op) {
  case QCB_TAPE_NIL: lua_pushnil(L); break;
  case QCB_TAPE_FALSE: lua_pushboolean(L, 0); break;
  case QCB_TAPE_TRUE: lua_pushboolean(L, 1); break;
  case QCB_TAPE_INT: {
    int64_t v;
    read_bytes(L, r, &v, sizeof v);
    lua_pushinteger(L, (lua_Integer)v);
    break;
  }
  case QCB_TAPE_NUMBER: {
    double v;
    read_bytes(L, r, &v, sizeof v);
    lua_pushnumber(L, (lua_Number)v);
    break;
  }
  case QCB_TAPE_STRING: push_string(L, r); break;
  case QCB_TAPE_TABLE: push_table(L, r, depth); break;
  case QCB_TAPE_REF: {
    int32_t ref;
    read_bytes(L, r, &ref, sizeof ref);
    if (ref <= 0 || lua_rawgeti(L, LUA_REGISTRYINDEX, ref) != LUA_TFUNCTION)
      luaL_error(L, "stale function reference passed from Swift");
    break;
  }
  default:
    malformed(L);
  }
}

// Pushes the tape's values and returns how many.
int qcb__push_tape(lua_State *L, const void *tape, size_t len) {
  tape_reader r = {tape, (const unsigned char *)tape + len};
  uint32_t count = read_u32(L, &r);
  if (count > INT_MAX - 8) malformed(L);
  luaL_checkstack(L, (int)count + 3, "too many values");
  for (uint32_t i = 0; i < count; i++) push_value(L, &r, 0);
  if (r.p != r.end) malformed(L);
  return (int)count;
}
