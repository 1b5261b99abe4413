/* Shared MSM helpers and the two instantiations of curve_impl.h: G1 over Fq and G2 over Fq2. */
#ifndef ZKY_GROUPS_H
#define ZKY_GROUPS_H

#include <pthread.h>
#include <stdlib.h>

#include "field.h"

#define SCALAR_BITS 254   /* r < 2^254 */
#define MAX_THREADS 16

static inline void fq_set_one(fe *r) { *r = fq_ONE; }
static inline int fq_is_zero(const fe *a) { return fe_is_zero(a); }
static inline int fq_eq(const fe *a, const fe *b) { return fe_eq(a, b); }
static inline void fq2_set_one(fe2 *r) { r->c0 = fq_ONE; memset(&r->c1, 0, sizeof(fe)); }

/* Queued bucket additions per shared inversion: large enough to spread the inversion (~300 products),
 * small against the 2^(c-1) buckets so that few points find their bucket already queued. */
static size_t msm_batch_size(int c) {
    size_t b = ((size_t)1 << (c - 1)) / 8;
    return b < 4 ? 4 : b > 1024 ? 1024 : b;
}

/* Window c minimising ceil((bits/c + 1)/threads)·(n·addition + 2^(c-1)·bucket-sum step), in field
 * products: an addition costs 6 plus its share of the inversion plus collisions at 11, a bucket-sum step
 * 27. Threads take whole windows, so the slowest thread's share of windows is what the caller waits for. */
static int msm_window_bits(size_t n, int bits, int threads) {
    if (threads < 1) threads = 1;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    int best = 1;
    double best_cost = 0;
    for (int c = 1; c <= 16; c++) {
        double batch = (double)msm_batch_size(c), buckets = (double)((size_t)1 << (c - 1));
        double add = 6.0 + 300.0 / batch + 11.0 * batch / (2.0 * buckets);
        int rounds = (bits / c + 1 + threads - 1) / threads;
        double cost = (double)rounds * ((double)n * add + 27.0 * buckets);
        if (c == 1 || cost < best_cost) { best = c; best_cost = cost; }
    }
    return best;
}

/* w bits of the plain scalar k starting at bit offset (bits past 255 read as zero). */
static inline uint32_t scalar_bits(const fe *k, int offset, int w) {
    int limb = offset / 64, shift = offset % 64;
    if (limb >= 4) return 0;
    uint64_t v = k->l[limb] >> shift;
    if (shift + w > 64 && limb + 1 < 4) v |= k->l[limb + 1] << (64 - shift);
    return (uint32_t)(v & ((1ULL << w) - 1));
}

/* Base-2^c digits in [-2^(c-1), 2^(c-1)], least significant first, written every `stride` entries. */
static void signed_digits(const fe *k, int c, int n_windows, int32_t *out, size_t stride) {
    int32_t half = 1 << (c - 1), full = 1 << c, carry = 0;
    for (int w = 0; w < n_windows; w++) {
        int32_t d = (int32_t)scalar_bits(k, w * c, c) + carry;
        carry = d > half;
        if (carry) d -= full;
        out[(size_t)w * stride] = d;
    }
}

/* Run fn on n jobs (job 0 on this thread); a failed thread start runs its job inline. */
static int run_parallel(void *(*fn)(void *), void *jobs, size_t job_size, int n) {
    pthread_t th[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    for (int t = 1; t < n; t++) {
        started[t] = pthread_create(&th[t], NULL, fn, (char *)jobs + job_size * t) == 0;
        if (!started[t]) fn((char *)jobs + job_size * t);
    }
    fn(jobs);
    for (int t = 1; t < n; t++) {
        if (started[t]) pthread_join(th[t], NULL);
    }
    return 1;
}

#define G g1
#define E fe
#define EF(name) fq_##name
#include "curve_impl.h"
#undef G
#undef E
#undef EF

#define G g2
#define E fe2
#define EF(name) fq2_##name
#include "curve_impl.h"
#undef G
#undef E
#undef EF

#endif
