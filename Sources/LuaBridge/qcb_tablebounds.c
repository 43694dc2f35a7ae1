// table.move, table.insert and table.remove with a bound on how many slots one call may
// shift. Their loops run in C, where the time limit's hook does not fire, and a length is
// whatever `__len` returns: `table.insert(setmetatable({}, {__len = function() return
// math.maxinteger end}), 1, 0)` would loop for centuries without allocating a byte. A
// real table under the memory limit has far fewer elements than the bound, so rules that
// work are not affected.
#include "qcb_internal.h"

#define MAX_SPAN ((lua_Integer)1 << 25)

static int too_many(lua_State *L, const char *function, lua_Integer count) {
  return luaL_error(L, "%s: %I elements at once is more than a rule may move (at most %I)", function, count, MAX_SPAN);
}

// Calls the original function (upvalue 1) with this call's arguments.
static int forward(lua_State *L) {
  int n = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L);
}

static int bounded_move(lua_State *L) {
  lua_Integer f = luaL_checkinteger(L, 2);
  lua_Integer e = luaL_checkinteger(L, 3);
  if (e >= f && (lua_Unsigned)e - (lua_Unsigned)f >= (lua_Unsigned)MAX_SPAN)
    return too_many(L, "table.move", (lua_Integer)((lua_Unsigned)e - (lua_Unsigned)f + 1u));
  return forward(L);
}

// insert and remove shift the elements between the position and the length.
static int bounded_shift(lua_State *L, const char *function) {
  if (lua_type(L, 1) == LUA_TTABLE) {
    lua_Integer length = luaL_len(L, 1);
    if (length > MAX_SPAN || length < -MAX_SPAN) return too_many(L, function, length);
  }
  return forward(L); // the original reports wrong arguments in its own words
}

static int bounded_insert(lua_State *L) { return bounded_shift(L, "table.insert"); }
static int bounded_remove(lua_State *L) { return bounded_shift(L, "table.remove"); }

void qcb__install_bounded_table(lua_State *L, int table_table) {
  static const luaL_Reg functions[] = {
    {"move", bounded_move}, {"insert", bounded_insert}, {"remove", bounded_remove}, {NULL, NULL},
  };
  table_table = lua_absindex(L, table_table);
  for (const luaL_Reg *f = functions; f->name; f++) {
    lua_getfield(L, table_table, f->name);
    lua_pushcclosure(L, f->func, 1);
    lua_setfield(L, table_table, f->name);
  }
}
