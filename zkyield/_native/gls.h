/* The G2 endomorphism psi: subgroup membership (Dai-Lin-Zhao-Zhou), GLS MSM, and same-scalar G1 scaling.
 *
 * psi = untwist ∘ Frobenius ∘ twist (Galbraith-Scott, ePrint 2008/117): psi(x, y) = (conj(x)·g12, conj(y)·g13)
 * with g12 = xi^((q-1)/3), g13 = xi^((q-1)/2) (pairing.h's frobenius_twist). On G2 it is multiplication by
 * lambda = q mod r = 6z^2 (q - r = 6z^2 for BN curves; tests/test_curve.py checks psi(P) == [6z^2]P with py_ecc).
 *
 * Subgroup test (Dai, Lin, Zhao, Zhou, "Fast subgroup membership testing for G1, G2 and GT on
 * pairing-friendly curves", ePrint 2022/348, BN case; valid since z mod 13 != 4 and z mod 97 != 92):
 *     P in G2  <=>  [z+1]P + psi([z]P) + psi^2([z]P) == psi^3([2z]P)
 * for any P on the twist: one 63-bit multiplication instead of a 254-bit one by r. tests/test_curve.py
 * checks it against r·P == O on G2 points, random twist points and points with a component of every prime
 * order dividing the cofactor 2q - r.
 *
 * GLS MSM (Galbraith, Lin, Scott, EUROCRYPT 2009): k = k1 + k2·lambda with k1 = k mod lambda < 2^127 and
 * k2 = floor(k / lambda) <= (r - 1)/lambda < 2^127, so an MSM over n G2 points with 254-bit scalars becomes one
 * over 2n points (P_i, psi(P_i)) with 127-bit scalars. Exact for points of G2 only (the prover's B2 points:
 * see docs/ceremony.md for why a point outside G2 there cannot make a false proof verify).
 */
#ifndef ZKY_GLS_H
#define ZKY_GLS_H

#include "glv.h"
#include "pairing.h"

#define GLS_BITS 128
/* lambda = 6z^2 = 147946756881789318990833708069417712966 (plain). */
static const fe GLS_LAMBDA = {{0xf83e9682e87cfd46ULL, 0x6f4d8248eeb859fbULL, 0, 0}};
/* floor(2^256 / lambda): c = floor(k·GLS_INV / 2^256) is floor(k / lambda) or one less (k < 2^256). */
static const fe GLS_INV = {{0x2cb62031c8e01941ULL, 0x4ccef014a773d2d5ULL, 0x2ULL, 0}};

/* psi on Jacobian coordinates: conj(X/Z^2) = conj(X)/conj(Z)^2, so scale conj(X), conj(Y) and keep conj(Z). */
static inline void g2_psi_jac(g2_jac *r, const g2_jac *p) {
    fq2_conj(&r->x, &p->x);
    fq2_mul(&r->x, &r->x, &FROB_G12);
    fq2_conj(&r->y, &p->y);
    fq2_mul(&r->y, &r->y, &FROB_G13);
    fq2_conj(&r->z, &p->z);
}

static int g2_jac_eq(const g2_jac *a, const g2_jac *b) {
    int ia = g2_is_inf(a), ib = g2_is_inf(b);
    if (ia || ib) return ia && ib;
    fe2 za2, zb2, l, r, za3, zb3;
    fq2_sqr(&za2, &a->z);
    fq2_sqr(&zb2, &b->z);
    fq2_mul(&l, &a->x, &zb2);
    fq2_mul(&r, &b->x, &za2);
    if (!fq2_eq(&l, &r)) return 0;
    fq2_mul(&za3, &za2, &a->z);
    fq2_mul(&zb3, &zb2, &b->z);
    fq2_mul(&l, &a->y, &zb3);
    fq2_mul(&r, &b->y, &za3);
    return fq2_eq(&l, &r);
}

/* P (affine, on the twist) is in G2: the ePrint 2022/348 equation above. */
static int g2_in_subgroup_aff(const g2_aff *p) {
    g2_jac zp, lhs, t, rhs;
    g2_from_aff(&zp, p);
    for (int b = 61; b >= 0; b--) {   /* z's top bit is bit 62 */
        g2_dbl(&zp, &zp);
        if ((BN_Z >> b) & 1) g2_madd(&zp, &zp, p);
    }
    g2_madd(&lhs, &zp, p);            /* [z+1]P */
    g2_psi_jac(&t, &zp);
    g2_add(&lhs, &lhs, &t);           /* + psi([z]P) */
    g2_psi_jac(&t, &t);
    g2_add(&lhs, &lhs, &t);           /* + psi^2([z]P) */
    g2_dbl(&rhs, &zp);
    g2_psi_jac(&rhs, &rhs);
    g2_psi_jac(&rhs, &rhs);
    g2_psi_jac(&rhs, &rhs);           /* psi^3([2z]P) */
    return g2_jac_eq(&lhs, &rhs);
}

typedef struct {
    const g2_aff *pts;
    const uint8_t *inf;   /* skip these (infinity is in G2) */
    size_t begin, end, first_bad;
} g2_subgroup_job;

static void *g2_subgroup_worker(void *arg) {
    g2_subgroup_job *job = (g2_subgroup_job *)arg;
    job->first_bad = (size_t)-1;
    for (size_t i = job->begin; i < job->end; i++) {
        if (job->inf && job->inf[i]) continue;
        if (!g2_in_subgroup_aff(&job->pts[i])) { job->first_bad = i; break; }
    }
    return NULL;
}

/* Index of the first point outside G2, or (size_t)-1 if all are in it; points must be on the twist. */
static size_t g2_first_outside_subgroup(const g2_aff *pts, const uint8_t *inf, size_t n, int threads) {
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    if ((size_t)threads > n) threads = (int)n;
    if (threads < 1) threads = 1;
    g2_subgroup_job jobs[MAX_THREADS];
    for (int t = 0; t < threads; t++) jobs[t] = (g2_subgroup_job){pts, inf, n * t / threads, n * (t + 1) / threads, 0};
    run_parallel(g2_subgroup_worker, jobs, sizeof(g2_subgroup_job), threads);
    for (int t = 0; t < threads; t++) if (jobs[t].first_bad != (size_t)-1) return jobs[t].first_bad;
    return (size_t)-1;
}

/* k = k1 + k2·lambda, 0 <= k1 < lambda, for a plain k < r. */
static void gls_split(const fe *k, fe *k1, fe *k2) {
    uint64_t w[8];
    fe t;
    mul_wide(w, k, &GLS_INV);
    memcpy(k2->l, w + 4, sizeof(k2->l));
    mul_low(&t, k2, &GLS_LAMBDA);
    fe_sub_raw(k1, k, &t);
    if (fe_geq(k1, &GLS_LAMBDA)) {   /* at most once: k·GLS_INV/2^256 > k/lambda - 1 */
        static const fe one = {{1, 0, 0, 0}};
        fe_sub_raw(k1, k1, &GLS_LAMBDA);
        fe_add_raw(k2, k2, &one);
    }
}

/* G2 MSM through GLS: 2n points (P_i, psi(P_i)) with 127-bit scalars. Same contract as g2_msm. */
static int g2_msm_gls(g2_jac *out, const g2_aff *pts, const fe *scalars, size_t n, int threads) {
    g2_aff *pts2 = (g2_aff *)malloc(sizeof(g2_aff) * 2 * (n ? n : 1));
    fe *ks2 = (fe *)malloc(sizeof(fe) * 2 * (n ? n : 1));
    int ok = 0;
    if (pts2 && ks2) {
        for (size_t i = 0; i < n; i++) {
            gls_split(&scalars[i], &ks2[i], &ks2[n + i]);
            pts2[i] = pts[i];
            frobenius_twist(&pts2[n + i], &pts[i]);
        }
        ok = g2_msm(out, pts2, ks2, 2 * n, GLS_BITS, threads);
    }
    free(pts2);
    free(ks2);
    return ok;
}

static int g2_msm_entry(g2_jac *out, const g2_aff *pts, const fe *scalars, size_t n, int threads, int endo) {
    return endo ? g2_msm_gls(out, pts, scalars, n, threads) : g2_msm(out, pts, scalars, n, SCALAR_BITS, threads);
}

/* ---- k·P_i for one scalar and many G1 points (ceremony contributions scale C and H by 1/x) ---- */

typedef struct {
    const g1_aff *pts;
    g1_jac *out;
    fe k1, k2;            /* GLV halves of the common scalar (magnitudes) */
    int neg1, neg2;
    size_t begin, end;
} g1_scale_job;

static void *g1_scale_worker(void *arg) {
    g1_scale_job *job = (g1_scale_job *)arg;
    for (size_t i = job->begin; i < job->end; i++) {
        g1_aff p = job->pts[i], phi;
        if (job->neg1) fq_neg(&p.y, &p.y);
        fq_mul(&phi.x, &job->pts[i].x, &GLV_BETA);
        phi.y = job->pts[i].y;
        if (job->neg2) fq_neg(&phi.y, &phi.y);
        g1_jac both, acc;
        g1_from_aff(&both, &p);
        g1_madd(&both, &both, &phi);
        g1_set_inf(&acc);
        for (int b = GLV_BITS - 1; b >= 0; b--) {
            g1_dbl(&acc, &acc);
            int b1 = (int)((job->k1.l[b / 64] >> (b % 64)) & 1), b2 = (int)((job->k2.l[b / 64] >> (b % 64)) & 1);
            if (b1 && b2) g1_add(&acc, &acc, &both);
            else if (b1) g1_madd(&acc, &acc, &p);
            else if (b2) g1_madd(&acc, &acc, &phi);
        }
        job->out[i] = acc;
    }
    return NULL;
}

/* out[i] = k·pts[i] (Jacobian) for a plain k < r, by GLV and a joint double-and-add; pts finite. */
static void g1_scale(g1_jac *out, const g1_aff *pts, size_t n, const fe *k, int threads) {
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    if ((size_t)threads > n) threads = (int)n;
    if (threads < 1) threads = 1;
    g1_scale_job jobs[MAX_THREADS];
    fe k1, k2;
    int neg1, neg2;
    glv_split(k, &k1, &neg1, &k2, &neg2);
    for (int t = 0; t < threads; t++)
        jobs[t] = (g1_scale_job){pts, out, k1, k2, neg1, neg2, n * t / threads, n * (t + 1) / threads};
    run_parallel(g1_scale_worker, jobs, sizeof(g1_scale_job), threads);
}

#endif
