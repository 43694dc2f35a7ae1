// The time limit. A per-sandbox thread sleeps until the deadline and only then arms a
// count hook (count 1), so a call that ends in time never runs with a hook installed.
//
// Arming from another thread is what lua.c does from a signal handler: lua_sethook is
// written to be safe there (hookmask is a sig_atomic_t; the VM re-reads its trap flag on
// every jump and loop). The hook then raises on *every* instruction, so Lua code cannot
// pcall its way past the limit. The caller disarms on its own thread after the call.
//
// Calls that follow each other (one per image) do not wake the thread: it sleeps to the
// oldest deadline, finds a newer one, and sleeps again; it only parks untimed when idle.
#include "qcb_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>

// `ar` is where the code was when time ran out (NULL: not known; the nearest Lua caller).
static int raise_time_limit(lua_State *L, lua_Debug *ar) {
  qcb_sandbox *S = qcb__sandbox(L);
  if (!S->time_hit) {
    // First firing: keep the place the code was at.
    S->time_hit = 1;
    char where[LUA_IDSIZE + 24] = "";
    lua_Debug caller;
    // From a C function: the nearest Lua code up the stack (pcall may sit in between).
    for (int level = 1; ar == NULL && lua_getstack(L, level, &caller); level++)
      if (lua_getinfo(L, "Sl", &caller) && caller.currentline > 0) ar = &caller;
    if (ar && lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
      snprintf(where, sizeof where, "%s:%d: ", ar->short_src, ar->currentline);
    snprintf(S->limit_message, sizeof S->limit_message, "%stime limit of %g s exceeded", where, S->timeout);
    luaL_traceback(L, L, NULL, 0);
    size_t n;
    const char *tb = lua_tolstring(L, -1, &n);
    qcb__trim_traceback(&tb, &n);
    qcb__text_set(&S->limit_traceback, tb, n);
    lua_pop(L, 1);
  }
  lua_pushstring(L, S->limit_message);
  return lua_error(L);
}

static void time_hook(lua_State *L, lua_Debug *ar) { raise_time_limit(L, ar); }

void qcb__check_deadline(lua_State *L) {
  qcb_sandbox *S = qcb__sandbox(L);
  if (atomic_load_explicit(&S->watchdog.expired, memory_order_relaxed)) raise_time_limit(L, NULL);
}

static int reached(const struct timespec *now, const struct timespec *deadline) {
  return now->tv_sec > deadline->tv_sec ||
         (now->tv_sec == deadline->tv_sec && now->tv_nsec >= deadline->tv_nsec);
}

static void now_monotonic(struct timespec *ts) { clock_gettime(CLOCK_MONOTONIC, ts); }

static void timed_wait(qcb_watchdog *w) {
#ifdef __APPLE__
  struct timespec now, rel;
  now_monotonic(&now);
  rel.tv_sec = w->deadline.tv_sec - now.tv_sec;
  rel.tv_nsec = w->deadline.tv_nsec - now.tv_nsec;
  if (rel.tv_nsec < 0) { rel.tv_sec -= 1; rel.tv_nsec += 1000000000L; }
  if (rel.tv_sec < 0) return;
  pthread_cond_timedwait_relative_np(&w->cv, &w->mu, &rel);
#else
  pthread_cond_timedwait(&w->cv, &w->mu, &w->deadline);
#endif
}

static void *watchdog_main(void *arg) {
  qcb_sandbox *S = arg;
  qcb_watchdog *w = &S->watchdog;
  pthread_mutex_lock(&w->mu);
  while (!w->quit) {
    if (!w->active || w->armed_gen == w->gen) {
      w->idle = 1;
      pthread_cond_wait(&w->cv, &w->mu);
      w->idle = 0;
      continue;
    }
    struct timespec now;
    now_monotonic(&now);
    if (reached(&now, &w->deadline)) {
      // Under the mutex: the caller marks the call inactive under it before disarming.
      lua_sethook(S->L, time_hook, LUA_MASKCOUNT, 1);
      atomic_store_explicit(&w->expired, 1, memory_order_relaxed);
      w->armed_gen = w->gen;
      continue;
    }
    timed_wait(w);
  }
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

int qcb__watchdog_init(qcb_sandbox *S) {
  qcb_watchdog *w = &S->watchdog;
  w->armed_gen = ULONG_MAX;
  if (pthread_mutex_init(&w->mu, NULL) != 0) return -1;
  pthread_condattr_t attr;
  if (pthread_condattr_init(&attr) != 0) goto fail_mutex;
#ifndef __APPLE__
  if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0) {
    pthread_condattr_destroy(&attr);
    goto fail_mutex;
  }
#endif
  int rc = pthread_cond_init(&w->cv, &attr);
  pthread_condattr_destroy(&attr);
  if (rc != 0) goto fail_mutex;
  return 0;
fail_mutex:
  pthread_mutex_destroy(&w->mu);
  return -1;
}

int qcb__watchdog_start(qcb_sandbox *S) {
  qcb_watchdog *w = &S->watchdog;
  if (!(S->timeout > 0)) return 0;
  if (!w->started) {
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) return -1;
    size_t stack = 64 * 1024;
    if (stack < (size_t)PTHREAD_STACK_MIN) stack = (size_t)PTHREAD_STACK_MIN;
    pthread_attr_setstacksize(&attr, stack);
    int rc = pthread_create(&w->thread, &attr, watchdog_main, S);
    pthread_attr_destroy(&attr);
    if (rc != 0) return -1;
    w->started = 1;
  }
  double t = S->timeout > 1e9 ? 1e9 : S->timeout; // "forever" without overflowing time_t
  time_t whole = (time_t)t;
  struct timespec deadline;
  now_monotonic(&deadline);
  deadline.tv_sec += whole;
  deadline.tv_nsec += (long)((t - (double)whole) * 1e9);
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec += 1;
    deadline.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&w->mu);
  w->gen++;
  w->active = 1;
  atomic_store_explicit(&w->expired, 0, memory_order_relaxed);
  w->deadline = deadline;
  if (w->idle) pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
  return 0;
}

void qcb__watchdog_stop(qcb_sandbox *S) {
  qcb_watchdog *w = &S->watchdog;
  if (!w->started) return;
  pthread_mutex_lock(&w->mu);
  w->active = 0;
  atomic_store_explicit(&w->expired, 0, memory_order_relaxed);
  pthread_mutex_unlock(&w->mu);
  lua_sethook(S->L, NULL, 0, 0);
}

void qcb__watchdog_destroy(qcb_sandbox *S) {
  qcb_watchdog *w = &S->watchdog;
  if (w->started) {
    pthread_mutex_lock(&w->mu);
    w->quit = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    w->started = 0;
  }
  pthread_cond_destroy(&w->cv);
  pthread_mutex_destroy(&w->mu);
}
