// What sandboxed code can see. Only base/table/string/math/utf8 are opened; a template
// table holds the allowed globals and every chunk (and every required module) gets a
// fresh deep copy of it, so one chunk writing globals or `string.rep = nil` cannot
// reach another. The real string table stays behind the string metatable, which is
// locked with __metatable = false.
#include "qcb_internal.h"

#include <lualib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define QCB_MAX_COPY_DEPTH 64
#define QCB_MAX_MODULE_BYTES (64 * 1024 * 1024)

// --- replacements for base functions -------------------------------------------------

static int sb_print(lua_State *L) {
  qcb_sandbox *S = qcb__sandbox(L);
  int n = lua_gettop(L);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int i = 1; i <= n; i++) {
    if (i > 1) luaL_addchar(&b, '\t');
    luaL_tolstring(L, i, NULL);
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  size_t len;
  const char *s = lua_tolstring(L, -1, &len);
  if (S->print) {
    S->print(S->ctx, s, len); // Swift sink: it never calls back into Lua
  } else {
    fwrite(s, 1, len, stderr);
    fputc('\n', stderr);
  }
  return 0;
}

// pcall/xpcall must not swallow the limits: after a limit hit, re-raise.
static int sb_pcall(lua_State *L) {
  luaL_checkany(L, 1);
  int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
  qcb__reraise_if_limited(L, status);
  luaL_checkstack(L, 1, NULL);
  lua_pushboolean(L, status == LUA_OK);
  lua_insert(L, 1);
  return lua_gettop(L);
}

// Lua runs a message handler where the error was raised; for the time limit that is
// inside the hook, with hooks disabled, so a looping handler could never be stopped.
// Once a limit is hit the user's handler is skipped (the limit is re-raised anyway).
static int xpcall_handler(lua_State *L) {
  qcb_sandbox *S = qcb__sandbox(L);
  if (S->time_hit || S->memory_hit) return 1;
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

static int sb_xpcall(lua_State *L) {
  int n = lua_gettop(L);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  luaL_checkstack(L, 2, NULL);
  lua_pushvalue(L, 2);
  lua_pushcclosure(L, xpcall_handler, 1);
  lua_replace(L, 2);
  lua_pushboolean(L, 1);
  lua_pushvalue(L, 1);
  lua_rotate(L, 3, 2); // f, handler, true, f, args...
  int status = lua_pcall(L, n - 2, LUA_MULTRET, 2);
  qcb__reraise_if_limited(L, status);
  if (status != LUA_OK) {
    lua_pushboolean(L, 0);
    lua_pushvalue(L, -2);
    return 2;
  }
  return lua_gettop(L) - 2;
}

// Finalizers run with hooks disabled (lgc.c GCTM), so a __gc loop could never be stopped
// by the time limit. Lua only marks an object for finalization if its metatable has __gc
// when set, so refusing such metatables here closes that door.
static int sb_setmetatable(lua_State *L) {
  int t = lua_type(L, 2);
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
  if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
    return luaL_error(L, "cannot change a protected metatable");
  if (t == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    if (lua_rawget(L, 2) != LUA_TNIL)
      return luaL_error(L, "setmetatable: __gc metamethods are not allowed in the sandbox");
    lua_pop(L, 1);
  }
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

static int sb_collectgarbage(lua_State *L) {
  const char *opt = luaL_optstring(L, 1, "count");
  if (strcmp(opt, "count") != 0)
    return luaL_error(L, "collectgarbage: only \"count\" is available in the sandbox (got \"%s\")", opt);
  int kb = lua_gc(L, LUA_GCCOUNT, 0);
  int b = lua_gc(L, LUA_GCCOUNTB, 0);
  lua_pushnumber(L, (lua_Number)kb + ((lua_Number)b / 1024));
  return 1;
}

// --- require: <lib_dir>/<a/b>.lua for name "a.b", text only, own environment, cached ---

static int valid_module_name(const char *s, size_t n) {
  if (n == 0 || n > 200) return 0;
  size_t seg = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '.') {
      if (seg == 0) return 0;
      seg = 0;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') {
      seg++;
    } else {
      return 0;
    }
  }
  return seg > 0;
}

static const char loading_marker = 0;

static int sb_require(lua_State *L) {
  qcb_sandbox *S = qcb__sandbox(L);
  size_t n;
  const char *name = luaL_checklstring(L, 1, &n);
  if (!valid_module_name(name, n))
    return luaL_error(L, "require: invalid module name '%s' (use names like 'util' or 'stats.hist'; "
                         "modules load only from the rule pack's lib/)", name);
  lua_settop(L, 1);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &qcb__key_loaded); // 2: cache
  lua_pushvalue(L, 1);
  lua_rawget(L, 2);
  if (lua_touserdata(L, -1) == &loading_marker)
    return luaL_error(L, "require: module '%s' requires itself, or failed to load earlier", name);
  if (!lua_isnil(L, -1)) return 1;
  lua_pop(L, 1);
  if (S->lib_dir == NULL) return luaL_error(L, "require: module '%s' not found (this sandbox has no lib directory)", name);

  const char *rel = luaL_gsub(L, name, ".", "/");                                     // 3
  const char *path = lua_pushfstring(L, "%s/%s.lua", S->lib_dir, rel);                 // 4: path
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
    return luaL_error(L, "require: module '%s' not found (no file '%s')", name, path);
  if (st.st_size > QCB_MAX_MODULE_BYTES) return luaL_error(L, "require: '%s' is too large", path);
  size_t size = (size_t)st.st_size;
  // The buffer is allocated before the file is opened, so nothing below can raise with
  // the FILE still open.
  char *buf = lua_newuserdatauv(L, size > 0 ? size : 1, 0);
  FILE *f = fopen(path, "rb");
  if (f == NULL) return luaL_error(L, "require: cannot open '%s'", path);
  size_t got = fread(buf, 1, size, f);
  fclose(f);

  // Lua cuts chunk names to LUA_IDSIZE with a leading "...", which would break the
  // "file:line:" of messages; a long path is shown as "<lib dir name>/a/b.lua" instead.
  if (strlen(path) + 1 < LUA_IDSIZE) {
    lua_pushfstring(L, "@%s", path);
  } else {
    const char *slash = strrchr(S->lib_dir, '/');
    const char *dir = slash && slash[1] ? slash + 1 : S->lib_dir;
    lua_pushfstring(L, "@%s/%s.lua", dir, rel);
  }
  if (!qcb__load_text(L, buf, got, lua_tostring(L, -1))) return lua_error(L);
  lua_pushlightuserdata(L, (void *)&loading_marker);
  lua_setfield(L, 2, name);
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 4);
  lua_call(L, 2, 1);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_pushboolean(L, 1);
  }
  lua_pushvalue(L, -1);
  lua_setfield(L, 2, name);
  return 1;
}

// --- environments ----------------------------------------------------------------------

// Pushes a copy of the table at `src`; shared subtables stay shared in the copy.
static void copy_table(lua_State *L, int src, int seen, int depth) {
  luaL_checkstack(L, 6, "globals nested too deep");
  lua_pushvalue(L, src);
  if (lua_rawget(L, seen) != LUA_TNIL) return;
  lua_pop(L, 1);
  if (depth > QCB_MAX_COPY_DEPTH)
    luaL_error(L, "a global table is nested more than %d levels deep", QCB_MAX_COPY_DEPTH);
  lua_newtable(L);
  int dst = lua_gettop(L);
  lua_pushvalue(L, src);
  lua_pushvalue(L, dst);
  lua_rawset(L, seen);
  lua_pushnil(L);
  while (lua_next(L, src)) {
    if (lua_type(L, -1) == LUA_TTABLE) {
      copy_table(L, lua_gettop(L), seen, depth + 1);
      lua_remove(L, -2);
    }
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, dst);
  }
}

void qcb__push_new_env(lua_State *L) {
  luaL_checkstack(L, 4, NULL);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &qcb__key_template);
  int tmpl = lua_gettop(L);
  lua_newtable(L);
  copy_table(L, tmpl, tmpl + 1, 0);
  lua_pushvalue(L, -1);
  lua_setfield(L, -2, "_G");
  lua_replace(L, tmpl);
  lua_settop(L, tmpl);
}

// Pushes the loaded function with a fresh environment and returns 1, or pushes the
// compiler's message and returns 0. Binary chunks are refused before Lua sees them.
int qcb__load_text(lua_State *L, const char *src, size_t len, const char *chunkname) {
  if (len > 0 && src[0] == LUA_SIGNATURE[0]) {
    lua_pushfstring(L, "%s: binary (precompiled) chunks are not accepted; load Lua source text",
                    chunkname[0] == '@' ? chunkname + 1 : chunkname);
    return 0;
  }
  int status = luaL_loadbufferx(L, src, len, chunkname, "t");
  if (status == LUA_ERRMEM) lua_error(L); // the message is Lua's memory-error string: stays ERRMEM
  if (status != LUA_OK) return 0;
  qcb__push_new_env(L);
  if (lua_setupvalue(L, -2, 1) == NULL) lua_pop(L, 1);
  return 1;
}

// --- setup -----------------------------------------------------------------------------

static const char *const base_allowed[] = {
  "assert", "error", "getmetatable", "ipairs", "next", "pairs", "rawequal", "rawget",
  "rawlen", "rawset", "select", "tonumber", "tostring", "type", "_VERSION", NULL,
};

static const luaL_Reg base_replaced[] = {
  {"print", sb_print},
  {"pcall", sb_pcall},
  {"xpcall", sb_xpcall},
  {"setmetatable", sb_setmetatable},
  {"collectgarbage", sb_collectgarbage},
  {"require", sb_require},
  {NULL, NULL},
};

static const luaL_Reg libraries[] = {
  {LUA_STRLIBNAME, luaopen_string},
  {LUA_TABLIBNAME, luaopen_table},
  {LUA_MATHLIBNAME, luaopen_math},
  {LUA_UTF8LIBNAME, luaopen_utf8},
  {NULL, NULL},
};

// Runs inside lua_pcall (qcb_open).
int qcb__init_libraries(lua_State *L) {
  luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
  int g = lua_gettop(L);
  lua_newtable(L);
  int tmpl = lua_gettop(L);
  for (const char *const *name = base_allowed; *name; name++) {
    lua_getfield(L, g, *name);
    lua_setfield(L, tmpl, *name);
  }
  luaL_setfuncs(L, base_replaced, 0);
  for (const luaL_Reg *lib = libraries; lib->name; lib++) {
    luaL_requiref(L, lib->name, lib->func, 0);
    lua_setfield(L, tmpl, lib->name);
  }
  // string.dump makes bytecode, which nothing here may load; drop it from the real table,
  // which strings still reach through their metatable.
  lua_getfield(L, tmpl, LUA_STRLIBNAME);
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");
  // Patterns and table shifts loop in C: replace them with versions the time limit reaches.
  qcb__install_bounded_patterns(L, -1);
  lua_pop(L, 1);
  lua_getfield(L, tmpl, LUA_TABLIBNAME);
  qcb__install_bounded_table(L, -1);
  lua_pop(L, 1);
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 2);
  // Nothing should reach the real globals, but leave nothing dangerous there either.
  static const char *const stripped[] = {"load", "loadfile", "dofile", "require", "collectgarbage", NULL};
  for (const char *const *name = stripped; *name; name++) {
    lua_pushnil(L);
    lua_setfield(L, g, *name);
  }
  lua_settop(L, tmpl);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &qcb__key_template);
  lua_newtable(L);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &qcb__key_loaded);
  lua_newtable(L);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &qcb__key_refs);
  lua_settop(L, 0);
  return 0;
}
