/* NTT over Fr: radix-4 decimation in time over cached twiddles, split across threads, with the Montgomery
 * conversions, the bit reversal and the coset scalings fused into the load and store passes.
 *
 * load:  a[rev(i)] = x_i·pre^i in Montgomery form: one product by R^2·pre^i does both (x_i plain).
 * body:  DIT stages h = 1, 2, 4, ... taken two at a time (radix 4: one pass over memory instead of two;
 *        a leading radix-2 stage when log n is odd). Each pass splits its butterflies across threads.
 * store: out_i = a_i·scale·post^i in plain form: one Montgomery product by the plain scale·post^i.
 */
#ifndef ZKY_NTT_H
#define ZKY_NTT_H

#include "groups.h"

/* Below this length a transform stays on one thread (thread starts cost more than they save). */
#define NTT_THREAD_MIN ((size_t)1 << 13)
#define NTT_CACHE_SLOTS 64

/* tw[j] = omega^j (Montgomery) for j < n/2, kept for the process lifetime: entries are created while the
 * GIL is held and never freed, so a transform running without the GIL can never see one disappear. */
typedef struct { fe omega; size_t n; fe *tw; } ntt_twiddles;
static ntt_twiddles NTT_CACHE[NTT_CACHE_SLOTS];
static int NTT_CACHE_LEN;

static fe *ntt_twiddle_table(size_t n, const fe *omega) {
    fe *tw = (fe *)malloc(sizeof(fe) * (n / 2 ? n / 2 : 1));
    if (!tw) return NULL;
    tw[0] = fr_ONE;
    for (size_t i = 1; i < n / 2; i++) fr_mul(&tw[i], &tw[i - 1], omega);
    return tw;
}

/* The cached table for (n, omega), or a fresh one in *owned (caller frees) once the cache is full.
 * Call with the GIL held. */
static const fe *ntt_twiddles_get(size_t n, const fe *omega, fe **owned) {
    *owned = NULL;
    for (int k = 0; k < NTT_CACHE_LEN; k++) {
        if (NTT_CACHE[k].n == n && fe_eq(&NTT_CACHE[k].omega, omega)) return NTT_CACHE[k].tw;
    }
    fe *tw = ntt_twiddle_table(n, omega);
    if (!tw) return NULL;
    if (NTT_CACHE_LEN == NTT_CACHE_SLOTS) {
        *owned = tw;
        return tw;
    }
    NTT_CACHE[NTT_CACHE_LEN++] = (ntt_twiddles){*omega, n, tw};
    return tw;
}

typedef struct {
    fe *a;
    const fe *tw;
    const uint8_t *in;      /* load: plain little-endian input */
    uint8_t *out;           /* store: plain little-endian output */
    size_t n, lo, hi;       /* this job's share of the pass's index range */
    size_t h;               /* the pass's half-block size (radix 2: h; radix 4: stages h and 2h) */
    int log_n;
    fe pre, post, scale;    /* pre, post Montgomery; scale plain */
    int bad;                /* load: an input element was >= r */
} ntt_job;

/* The low `bits` bits of i reversed (bits >= 1): swap halves of ever smaller widths, then shift down. */
static inline size_t bit_reverse(size_t i, int bits) {
    uint64_t v = __builtin_bswap64((uint64_t)i);
    v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((v & 0x0f0f0f0f0f0f0f0fULL) << 4);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    return (size_t)(v >> (64 - bits));
}

static inline void fr_pow_small(fe *r, const fe *a, uint64_t e) { fr_pow(r, a, &e, 1); }

static void *ntt_load(void *arg) {
    ntt_job *job = (ntt_job *)arg;
    fe d;   /* R^2·pre^i in Montgomery form: mont_mul(x plain, d) = x·pre^i·R */
    fr_pow_small(&d, &job->pre, job->lo);
    fr_mul(&d, &d, &fr_R2);
    job->bad = 0;
    for (size_t i = job->lo; i < job->hi; i++) {
        fe x;
        fe_load_le(&x, job->in + 32 * i);
        if (fe_geq(&x, &fr_P)) job->bad = 1;
        fr_mul(&job->a[job->log_n ? bit_reverse(i, job->log_n) : 0], &x, &d);
        fr_mul(&d, &d, &job->pre);
    }
    return NULL;
}

static void *ntt_store(void *arg) {
    ntt_job *job = (ntt_job *)arg;
    fe c;   /* scale·post^i in plain form: mont_mul(a Montgomery, c) = a·c plain */
    fr_pow_small(&c, &job->post, job->lo);
    fr_mul(&c, &c, &job->scale);
    for (size_t i = job->lo; i < job->hi; i++) {
        fe y;
        fr_mul(&y, &job->a[i], &c);
        fe_store_le(job->out + 32 * i, &y);
        fr_mul(&c, &c, &job->post);
    }
    return NULL;
}

/* Radix-2 stage h over butterflies [lo, hi) of n/2. */
static void *ntt_radix2(void *arg) {
    ntt_job *job = (ntt_job *)arg;
    size_t h = job->h, stride = job->n / (2 * h);
    size_t j = job->lo % h, i = (job->lo / h) * 2 * h + j;
    for (size_t g = job->lo; g < job->hi; g++, i++, j++) {
        if (j == h) { j = 0; i += h; }
        fe t, u = job->a[i];
        fr_mul(&t, &job->a[i + h], &job->tw[j * stride]);
        fr_add(&job->a[i], &u, &t);
        fr_sub(&job->a[i + h], &u, &t);
    }
    return NULL;
}

/* Stages h and 2h in one pass over groups [lo, hi) of n/4: x0..x3 at i, i+h, i+2h, i+3h. */
static void *ntt_radix4(void *arg) {
    ntt_job *job = (ntt_job *)arg;
    size_t h = job->h, s2 = job->n / (2 * h), s4 = job->n / (4 * h);
    fe *a = job->a;
    size_t j = job->lo % h, i = (job->lo / h) * 4 * h + j;
    for (size_t g = job->lo; g < job->hi; g++, i++, j++) {
        if (j == h) { j = 0; i += 3 * h; }
        fe t, y0, y1, y2, y3;
        const fe *w2 = &job->tw[j * s2], *w1 = &job->tw[j * s4], *w3 = &job->tw[(j + h) * s4];
        fr_mul(&t, &a[i + h], w2);
        fr_add(&y0, &a[i], &t);
        fr_sub(&y1, &a[i], &t);
        fr_mul(&t, &a[i + 3 * h], w2);
        fr_add(&y2, &a[i + 2 * h], &t);
        fr_sub(&y3, &a[i + 2 * h], &t);
        fr_mul(&t, &y2, w1);
        fr_add(&a[i], &y0, &t);
        fr_sub(&a[i + 2 * h], &y0, &t);
        fr_mul(&t, &y3, w3);
        fr_add(&a[i + h], &y1, &t);
        fr_sub(&a[i + 3 * h], &y1, &t);
    }
    return NULL;
}

/* Run fn over [0, total) split across the jobs' threads (proto supplies the pass's shared fields). */
static void ntt_pass(void *(*fn)(void *), ntt_job *jobs, const ntt_job *proto, size_t total, int threads) {
    for (int t = 0; t < threads; t++) {
        jobs[t] = *proto;
        jobs[t].lo = total * (size_t)t / (size_t)threads;
        jobs[t].hi = total * (size_t)(t + 1) / (size_t)threads;
    }
    run_parallel(fn, jobs, sizeof(ntt_job), threads);
}

/* out_i = scale·post^i·(sum_j x_j·pre^j·omega^(ij)) for n = 2^log_n plain inputs `in` (32-byte LE each).
 * a is n elements of scratch; tw the twiddles of omega. pre, post Montgomery, scale plain.
 * Returns 0 when an input element is >= r (out is then unspecified). */
static int fr_ntt(uint8_t *out, const uint8_t *in, fe *a, size_t n, const fe *tw, const fe *pre,
                  const fe *post, const fe *scale, int threads) {
    int log_n = 0;
    while (((size_t)1 << log_n) < n) log_n++;
    if (n < NTT_THREAD_MIN || threads < 1) threads = 1;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    ntt_job jobs[MAX_THREADS];
    ntt_job proto = {a, tw, in, out, n, 0, 0, 1, log_n, *pre, *post, *scale, 0};
    ntt_pass(ntt_load, jobs, &proto, n, threads);
    int bad = 0;
    for (int t = 0; t < threads; t++) bad |= jobs[t].bad;
    if (bad) return 0;
    size_t h = 1;
    if (log_n & 1) {
        ntt_pass(ntt_radix2, jobs, &proto, n / 2, threads);
        h = 2;
    }
    for (; 2 * h < n; h *= 4) {
        proto.h = h;
        ntt_pass(ntt_radix4, jobs, &proto, n / 4, threads);
    }
    ntt_pass(ntt_store, jobs, &proto, n, threads);
    return 1;
}

#endif
