/* Jacobian group law, Pippenger MSM and fixed-base batch multiplication for one BN254 group.
 *
 * A template: the includer defines G (name prefix g1/g2), E (coordinate type), EF(name) (the coordinate
 * field's function of that name) and E_BYTES. Formulas are the a = 0 short-Weierstrass ones of the
 * Explicit-Formulas Database (dbl-2009-l, add-2007-bl, madd-2007-bl), as in zkyield/curve.py.
 * Jacobian infinity is Z = 0; affine arrays passed in here never hold infinity (callers filter it).
 */
#define G_CAT2(a, b) a##_##b
#define G_CAT(a, b) G_CAT2(a, b)
#define GN(name) G_CAT(G, name)

typedef struct { E x, y, z; } GN(jac);
typedef struct { E x, y; } GN(aff);

static inline void GN(set_inf)(GN(jac) *p) { EF(set_one)(&p->x); EF(set_one)(&p->y); memset(&p->z, 0, sizeof(E)); }
static inline int GN(is_inf)(const GN(jac) *p) { return EF(is_zero)(&p->z); }

static inline void GN(from_aff)(GN(jac) *r, const GN(aff) *a) { r->x = a->x; r->y = a->y; EF(set_one)(&r->z); }

static inline void GN(dbl)(GN(jac) *r, const GN(jac) *p) {
    if (GN(is_inf)(p)) { *r = *p; return; }
    E a, b, c, d, e, f, t;
    EF(sqr)(&a, &p->x);
    EF(sqr)(&b, &p->y);
    EF(sqr)(&c, &b);
    EF(add)(&d, &p->x, &b);
    EF(sqr)(&d, &d);
    EF(sub)(&d, &d, &a);
    EF(sub)(&d, &d, &c);
    EF(dbl)(&d, &d);
    EF(dbl)(&e, &a);
    EF(add)(&e, &e, &a);
    EF(sqr)(&f, &e);
    E z3;
    EF(mul)(&z3, &p->y, &p->z);
    EF(dbl)(&r->z, &z3);
    EF(dbl)(&t, &d);
    EF(sub)(&r->x, &f, &t);
    EF(sub)(&t, &d, &r->x);
    EF(mul)(&t, &e, &t);
    EF(dbl)(&c, &c);
    EF(dbl)(&c, &c);
    EF(dbl)(&c, &c);
    EF(sub)(&r->y, &t, &c);
}

/* r = p + q with q affine (madd-2007-bl); r may alias p. */
static inline void GN(madd)(GN(jac) *r, const GN(jac) *p, const GN(aff) *q) {
    if (GN(is_inf)(p)) { GN(from_aff)(r, q); return; }
    E z1z1, u2, s2, h, hh, i, j, rr, v, t;
    EF(sqr)(&z1z1, &p->z);
    EF(mul)(&u2, &q->x, &z1z1);
    EF(mul)(&s2, &q->y, &p->z);
    EF(mul)(&s2, &s2, &z1z1);
    EF(sub)(&h, &u2, &p->x);
    EF(sub)(&rr, &s2, &p->y);
    if (EF(is_zero)(&h)) {
        if (EF(is_zero)(&rr)) GN(dbl)(r, p);
        else GN(set_inf)(r);
        return;
    }
    EF(dbl)(&rr, &rr);
    EF(sqr)(&hh, &h);
    EF(dbl)(&i, &hh);
    EF(dbl)(&i, &i);
    EF(mul)(&j, &h, &i);
    EF(mul)(&v, &p->x, &i);
    E x3, y3, z3;
    EF(sqr)(&x3, &rr);
    EF(sub)(&x3, &x3, &j);
    EF(dbl)(&t, &v);
    EF(sub)(&x3, &x3, &t);
    EF(sub)(&t, &v, &x3);
    EF(mul)(&y3, &rr, &t);
    EF(mul)(&t, &p->y, &j);
    EF(dbl)(&t, &t);
    EF(sub)(&y3, &y3, &t);
    EF(add)(&z3, &p->z, &h);
    EF(sqr)(&z3, &z3);
    EF(sub)(&z3, &z3, &z1z1);
    EF(sub)(&z3, &z3, &hh);
    r->x = x3;
    r->y = y3;
    r->z = z3;
}

/* r = p + q (add-2007-bl); r may alias either input. */
static inline void GN(add)(GN(jac) *r, const GN(jac) *p, const GN(jac) *q) {
    if (GN(is_inf)(p)) { *r = *q; return; }
    if (GN(is_inf)(q)) { *r = *p; return; }
    E z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t;
    EF(sqr)(&z1z1, &p->z);
    EF(sqr)(&z2z2, &q->z);
    EF(mul)(&u1, &p->x, &z2z2);
    EF(mul)(&u2, &q->x, &z1z1);
    EF(mul)(&s1, &p->y, &q->z);
    EF(mul)(&s1, &s1, &z2z2);
    EF(mul)(&s2, &q->y, &p->z);
    EF(mul)(&s2, &s2, &z1z1);
    EF(sub)(&h, &u2, &u1);
    EF(sub)(&rr, &s2, &s1);
    if (EF(is_zero)(&h)) {
        if (EF(is_zero)(&rr)) GN(dbl)(r, p);
        else GN(set_inf)(r);
        return;
    }
    EF(dbl)(&rr, &rr);
    EF(dbl)(&i, &h);
    EF(sqr)(&i, &i);
    EF(mul)(&j, &h, &i);
    EF(mul)(&v, &u1, &i);
    E x3, y3, z3;
    EF(sqr)(&x3, &rr);
    EF(sub)(&x3, &x3, &j);
    EF(dbl)(&t, &v);
    EF(sub)(&x3, &x3, &t);
    EF(sub)(&t, &v, &x3);
    EF(mul)(&y3, &rr, &t);
    EF(mul)(&t, &s1, &j);
    EF(dbl)(&t, &t);
    EF(sub)(&y3, &y3, &t);
    EF(add)(&z3, &p->z, &q->z);
    EF(sqr)(&z3, &z3);
    EF(sub)(&z3, &z3, &z1z1);
    EF(sub)(&z3, &z3, &z2z2);
    EF(mul)(&z3, &z3, &h);
    r->x = x3;
    r->y = y3;
    r->z = z3;
}

/* Affine images of n Jacobian points with one inversion (Montgomery's trick); inf[i] marks infinity. */
static int GN(batch_to_aff)(GN(aff) *out, uint8_t *inf, const GN(jac) *in, size_t n) {
    E *prefix = (E *)malloc(sizeof(E) * (n ? n : 1));
    if (!prefix) return 0;
    E acc;
    EF(set_one)(&acc);
    for (size_t k = 0; k < n; k++) {
        prefix[k] = acc;
        inf[k] = (uint8_t)GN(is_inf)(&in[k]);
        if (!inf[k]) EF(mul)(&acc, &acc, &in[k].z);
    }
    EF(inv)(&acc, &acc);
    for (size_t k = n; k-- > 0;) {
        if (inf[k]) continue;
        E zinv, zinv2;
        EF(mul)(&zinv, &acc, &prefix[k]);
        EF(mul)(&acc, &acc, &in[k].z);
        EF(sqr)(&zinv2, &zinv);
        EF(mul)(&out[k].x, &in[k].x, &zinv2);
        EF(mul)(&zinv2, &zinv2, &zinv);
        EF(mul)(&out[k].y, &in[k].y, &zinv2);
    }
    free(prefix);
    return 1;
}

/* ---- Pippenger with signed digits and batch-affine buckets ----
 *
 * Buckets are affine. Each window queues up to `batch` bucket additions whose slopes share one
 * inversion (Montgomery's trick), so an addition costs about 6 products instead of a mixed Jacobian
 * addition's 11. A point whose bucket is already queued, or whose x equals the bucket's (a doubling
 * or a cancellation), goes into a Jacobian side bucket by mixed addition instead: exact in every case.
 */

typedef struct {
    const GN(aff) *pts;
    const int32_t *digits;   /* window-major: digits[w * n + i] */
    size_t n;
    int c, n_windows;
    int *next_window;        /* shared: workers claim windows one at a time (a descheduled thread holds up none) */
    GN(jac) *sums;           /* sums[w] = sum_j j·B_j of window w */
    int ok;
} GN(msm_job);

typedef struct {
    GN(aff) *bucket;         /* affine part of bucket j, valid when full[j] */
    GN(jac) *side;           /* Jacobian part of bucket j (collisions, doublings) */
    uint8_t *full, *queued;
    uint32_t *q_bucket;      /* the queue: bucket index, addend and slope denominator per entry */
    GN(aff) *q_point;
    E *q_den, *q_prefix;
    size_t q_len, q_cap;
} GN(buckets);

static void GN(flush)(GN(buckets) *bk) {
    size_t len = bk->q_len;
    if (!len) return;
    bk->q_prefix[0] = bk->q_den[0];
    for (size_t k = 1; k < len; k++) EF(mul)(&bk->q_prefix[k], &bk->q_prefix[k - 1], &bk->q_den[k]);
    E inv;
    EF(inv)(&inv, &bk->q_prefix[len - 1]);
    for (size_t k = len; k-- > 0;) {
        E dinv, lambda, t;
        if (k) {
            EF(mul)(&dinv, &inv, &bk->q_prefix[k - 1]);
            EF(mul)(&inv, &inv, &bk->q_den[k]);
        } else {
            dinv = inv;
        }
        uint32_t j = bk->q_bucket[k];
        GN(aff) *a = &bk->bucket[j];
        const GN(aff) *p = &bk->q_point[k];
        EF(sub)(&lambda, &p->y, &a->y);
        EF(mul)(&lambda, &lambda, &dinv);
        E x3;
        EF(sqr)(&x3, &lambda);
        EF(sub)(&x3, &x3, &a->x);
        EF(sub)(&x3, &x3, &p->x);
        EF(sub)(&t, &a->x, &x3);
        EF(mul)(&t, &t, &lambda);
        EF(sub)(&a->y, &t, &a->y);
        a->x = x3;
        bk->queued[j] = 0;
    }
    bk->q_len = 0;
}

static inline void GN(bucket_add)(GN(buckets) *bk, uint32_t j, const GN(aff) *p) {
    if (!bk->full[j]) {
        bk->bucket[j] = *p;
        bk->full[j] = 1;
        return;
    }
    if (bk->queued[j] || EF(eq)(&bk->bucket[j].x, &p->x)) {
        GN(madd)(&bk->side[j], &bk->side[j], p);
        return;
    }
    size_t k = bk->q_len++;
    bk->queued[j] = 1;
    bk->q_bucket[k] = j;
    bk->q_point[k] = *p;
    EF(sub)(&bk->q_den[k], &p->x, &bk->bucket[j].x);
    if (bk->q_len == bk->q_cap) GN(flush)(bk);
}

static void *GN(msm_worker)(void *arg) {
    GN(msm_job) *job = (GN(msm_job) *)arg;
    size_t n_buckets = (size_t)1 << (job->c - 1);
    GN(buckets) bk;
    bk.q_cap = msm_batch_size(job->c);
    bk.q_len = 0;
    bk.bucket = (GN(aff) *)malloc(sizeof(GN(aff)) * (n_buckets + 1));
    bk.side = (GN(jac) *)malloc(sizeof(GN(jac)) * (n_buckets + 1));
    bk.full = (uint8_t *)malloc(n_buckets + 1);
    bk.queued = (uint8_t *)malloc(n_buckets + 1);
    bk.q_bucket = (uint32_t *)malloc(sizeof(uint32_t) * bk.q_cap);
    bk.q_point = (GN(aff) *)malloc(sizeof(GN(aff)) * bk.q_cap);
    bk.q_den = (E *)malloc(sizeof(E) * bk.q_cap);
    bk.q_prefix = (E *)malloc(sizeof(E) * bk.q_cap);
    job->ok = bk.bucket && bk.side && bk.full && bk.queued && bk.q_bucket && bk.q_point && bk.q_den && bk.q_prefix;
    for (int w; job->ok && (w = __atomic_fetch_add(job->next_window, 1, __ATOMIC_RELAXED)) < job->n_windows;) {
        memset(bk.full, 0, n_buckets + 1);
        memset(bk.queued, 0, n_buckets + 1);
        for (size_t j = 0; j <= n_buckets; j++) GN(set_inf)(&bk.side[j]);
        const int32_t *dig = job->digits + (size_t)w * job->n;
        for (size_t i = 0; i < job->n; i++) {
            int32_t d = dig[i];
            if (d > 0) {
                GN(bucket_add)(&bk, (uint32_t)d, &job->pts[i]);
            } else if (d < 0) {
                GN(aff) neg = job->pts[i];
                EF(neg)(&neg.y, &neg.y);
                GN(bucket_add)(&bk, (uint32_t)(-d), &neg);
            }
        }
        GN(flush)(&bk);
        /* sum_j j·B_j as the running sum of suffix sums. */
        GN(jac) running, sum;
        GN(set_inf)(&running);
        GN(set_inf)(&sum);
        for (size_t j = n_buckets; j >= 1; j--) {
            if (bk.full[j]) GN(madd)(&running, &running, &bk.bucket[j]);
            GN(add)(&running, &running, &bk.side[j]);
            GN(add)(&sum, &sum, &running);
        }
        job->sums[w] = sum;
    }
    free(bk.bucket);
    free(bk.side);
    free(bk.full);
    free(bk.queued);
    free(bk.q_bucket);
    free(bk.q_point);
    free(bk.q_den);
    free(bk.q_prefix);
    return NULL;
}

/* sum k_i·P_i for finite affine points and plain (non-Montgomery) scalars below 2^bits. Returns 0 on OOM. */
static int GN(msm)(GN(jac) *out, const GN(aff) *pts, const fe *scalars, size_t n, int bits, int threads) {
    GN(set_inf)(out);
    if (n == 0) return 1;
    int c = msm_window_bits(n, bits, threads);
    int n_windows = bits / c + 1;
    int32_t *digits = (int32_t *)malloc(sizeof(int32_t) * n * (size_t)n_windows);
    GN(jac) *sums = (GN(jac) *)malloc(sizeof(GN(jac)) * (size_t)n_windows);
    if (!digits || !sums) { free(digits); free(sums); return 0; }
    for (size_t i = 0; i < n; i++) signed_digits(&scalars[i], c, n_windows, digits + i, n);
    if (threads > n_windows) threads = n_windows;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    if (threads < 1) threads = 1;
    GN(msm_job) jobs[MAX_THREADS];
    int next_window = 0;
    for (int t = 0; t < threads; t++) {
        jobs[t] = (GN(msm_job)){pts, digits, n, c, n_windows, &next_window, sums, 0};
    }
    int ok = run_parallel(GN(msm_worker), jobs, sizeof(GN(msm_job)), threads);
    for (int t = 0; t < threads; t++) ok = ok && jobs[t].ok;
    if (ok) {
        *out = sums[n_windows - 1];
        for (int w = n_windows - 2; w >= 0; w--) {
            for (int k = 0; k < c; k++) GN(dbl)(out, out);
            GN(add)(out, out, &sums[w]);
        }
    }
    free(digits);
    free(sums);
    return ok;
}

/* ---- fixed base: table[j][d - 1] = d·2^(w·j)·B, then about 254/w mixed additions per scalar ---- */

typedef struct {
    const GN(aff) *table;
    const fe *scalars;
    GN(jac) *out;
    size_t begin, end;
    int w;
    int ok;
} GN(fixed_job);

static void *GN(fixed_worker)(void *arg) {
    GN(fixed_job) *job = (GN(fixed_job) *)arg;
    int w = job->w;
    size_t stride = ((size_t)1 << w) - 1;
    int n_windows = (SCALAR_BITS + w - 1) / w;
    for (size_t i = job->begin; i < job->end; i++) {
        GN(jac) acc;
        GN(set_inf)(&acc);
        for (int j = 0; j < n_windows; j++) {
            uint32_t d = scalar_bits(&job->scalars[i], j * w, w);
            if (d) GN(madd)(&acc, &acc, &job->table[(size_t)j * stride + d - 1]);
        }
        job->out[i] = acc;
    }
    job->ok = 1;
    return NULL;
}

/* k_i·base for every scalar (plain, below r); out_aff/out_inf receive the affine results. */
static int GN(batch_mul)(GN(aff) *out_aff, uint8_t *out_inf, const GN(aff) *base, const fe *scalars, size_t n,
                         int threads) {
    int w = n < 16 ? 2 : n < 256 ? 4 : n < 4096 ? 6 : 8;
    int n_windows = (SCALAR_BITS + w - 1) / w;
    size_t stride = ((size_t)1 << w) - 1;
    size_t table_len = (size_t)n_windows * stride;
    GN(jac) *table_jac = (GN(jac) *)malloc(sizeof(GN(jac)) * table_len);
    GN(aff) *table = (GN(aff) *)malloc(sizeof(GN(aff)) * table_len);
    uint8_t *table_inf = (uint8_t *)malloc(table_len);
    GN(jac) *res = (GN(jac) *)malloc(sizeof(GN(jac)) * (n ? n : 1));
    int ok = table_jac && table && table_inf && res;
    if (ok) {
        GN(jac) step;
        GN(from_aff)(&step, base);
        for (int j = 0; j < n_windows; j++) {
            GN(jac) *row = table_jac + (size_t)j * stride;
            row[0] = step;
            for (size_t d = 1; d < stride; d++) GN(add)(&row[d], &row[d - 1], &step);
            GN(add)(&step, &row[stride - 1], &step);
        }
        /* base has prime order r > d and r is odd, so d·2^(w·j)·base is never infinity. */
        ok = GN(batch_to_aff)(table, table_inf, table_jac, table_len);
    }
    free(table_jac);
    table_jac = NULL;
    if (ok) {
        if (threads > MAX_THREADS) threads = MAX_THREADS;
        if ((size_t)threads > n) threads = (int)n;
        if (threads < 1) threads = 1;
        GN(fixed_job) jobs[MAX_THREADS];
        for (int t = 0; t < threads; t++) {
            jobs[t] = (GN(fixed_job)){table, scalars, res, n * t / threads, n * (t + 1) / threads, w, 0};
        }
        ok = run_parallel(GN(fixed_worker), jobs, sizeof(GN(fixed_job)), threads);
        for (int t = 0; t < threads; t++) ok = ok && jobs[t].ok;
    }
    if (ok) ok = GN(batch_to_aff)(out_aff, out_inf, res, n);
    free(table);
    free(table_inf);
    free(res);
    return ok;
}


/* ---- sparse linear combinations: out[o] = sum of k·bases[b] over the terms (o, b, k) ----
 *
 * What ceremony `new` needs per wire: a handful of terms (one per constraint the wire appears in), so a
 * Pippenger per wire would pay its set-up hundreds of times over. Each term is a double-and-add on the shorter
 * of k and r - k (circuit coefficients are mostly small or small negatives), accumulated in Jacobian. Terms
 * must be sorted by output index; threads take contiguous runs of outputs.
 */

typedef struct {
    const GN(aff) *bases;
    const uint32_t *term_out, *term_base;
    const fe *scalars;      /* plain, below r */
    GN(jac) *out;
    size_t t_begin, t_end;  /* this thread's terms: whole outputs only */
} GN(lincomb_job);

static void *GN(lincomb_worker)(void *arg) {
    GN(lincomb_job) *job = (GN(lincomb_job) *)arg;
    for (size_t t = job->t_begin; t < job->t_end; t++) {
        fe k = job->scalars[t], nk;
        if (fe_is_zero(&k)) continue;
        int neg = 0;
        fe_sub_raw(&nk, &fr_P, &k);
        if (!fe_geq(&nk, &k)) { k = nk; neg = 1; }   /* r - k < k: use -(r - k) */
        GN(aff) p = job->bases[job->term_base[t]];
        if (neg) EF(neg)(&p.y, &p.y);
        int top = 255;
        while (top > 0 && !((k.l[top / 64] >> (top % 64)) & 1)) top--;
        GN(jac) acc;
        GN(from_aff)(&acc, &p);
        for (int b = top - 1; b >= 0; b--) {
            GN(dbl)(&acc, &acc);
            if ((k.l[b / 64] >> (b % 64)) & 1) GN(madd)(&acc, &acc, &p);
        }
        GN(jac) *o = &job->out[job->term_out[t]];
        GN(add)(o, o, &acc);
    }
    return NULL;
}

/* out[0..n_out) (Jacobian, set here) from n_terms sorted terms over finite affine bases. */
static void GN(lincomb)(GN(jac) *out, size_t n_out, const GN(aff) *bases, const uint32_t *term_out,
                        const uint32_t *term_base, const fe *scalars, size_t n_terms, int threads) {
    for (size_t o = 0; o < n_out; o++) GN(set_inf)(&out[o]);
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    if ((size_t)threads > n_terms) threads = (int)n_terms;
    if (threads < 1) threads = 1;
    GN(lincomb_job) jobs[MAX_THREADS];
    size_t begin = 0;
    for (int t = 0; t < threads; t++) {
        size_t end = n_terms * (t + 1) / threads;
        while (end < n_terms && end > begin && term_out[end] == term_out[end - 1]) end++;   /* whole outputs */
        if (end < begin) end = begin;
        jobs[t] = (GN(lincomb_job)){bases, term_out, term_base, scalars, out, begin, end};
        begin = end;
    }
    jobs[threads - 1].t_end = n_terms;
    run_parallel(GN(lincomb_worker), jobs, sizeof(GN(lincomb_job)), threads);
}

#undef GN
#undef G_CAT
#undef G_CAT2
