/* GLV on G1 (Gallant, Lambert, Vanstone, CRYPTO 2001): phi(x, y) = (beta·x, y) is multiplication by lambda.
 *
 * beta is a primitive cube root of unity in Fq and lambda (lambda^2 + lambda + 1 = 0 mod r) the matching
 * one in Fr: phi(P) = lambda·P on G1 (checked against py_ecc in tests/test_msm.py). A scalar k < r
 * splits as k = k1 + k2·lambda mod r with |k1|, |k2| < 2^128, so an MSM over n points with 254-bit scalars
 * becomes one over 2n points (P_i and phi(P_i), negated where a half is negative) with 128-bit scalars:
 * half the windows, so half the bucket-sum and doubling work.
 *
 * Constants (re-derived from q and r alone by tests/test_msm.py::_glv_constants, which the C split must match):
 * beta is the smaller cube root g^((q-1)/3) != 1 for which phi = [lambda] under py_ecc; the basis
 * v1 = (a1, b1), v2 = (a2, b2) of {(x, y): x + y·lambda = 0 mod r} is the short pair from the extended Euclidean algorithm on (r, lambda)
 * (Guide to Elliptic Curve Cryptography, Hankerson-Menezes-Vanstone, Algorithm 3.74), the same values as
 * gnark-crypto's ecc/bn254 GLV basis. det(v1, v2) = a1·b2 - a2·b1 = r.
 */
#ifndef ZKY_GLV_H
#define ZKY_GLV_H

#include "groups.h"

#define GLV_BITS 128   /* |k1|, |k2| < 1.25·(|a1| + |a2|) < 2^128 (see glv_split) */

/* beta = 2203960485148121921418603742825762020974279258880205651966 (plain, not Montgomery). */
static const fe GLV_BETA_PLAIN = {{0x5763473177fffffeULL, 0xd4f263f1acdb5c4fULL, 0x59e26bcea0d48bacULL, 0}};
static fe GLV_BETA;    /* beta in Montgomery form, set by glv_init */
/* v1 = (a1, -b1m), v2 = (a2, b2): a1 = b2 = 9931322734385697763, b1m = 147946756881789319000765030803803410728,
 * a2 = 147946756881789319010696353538189108491. */
static const fe GLV_A1 = {{0x89d3256894d213e3ULL, 0, 0, 0}};
static const fe GLV_B1M = {{0x8211bbeb7d4f1128ULL, 0x6f4d8248eeb859fcULL, 0, 0}};
static const fe GLV_A2 = {{0x0be4e1541221250bULL, 0x6f4d8248eeb859fdULL, 0, 0}};
static const fe GLV_B2 = {{0x89d3256894d213e3ULL, 0, 0, 0}};
/* g1 = floor(b2·2^256 / r), g2 = floor(b1m·2^256 / r): c_i = floor(k·g_i / 2^256) approximates the
 * rounded coordinates k·b2/r and -k·b1/r of (k, 0) in the basis, from below by less than 1.25. */
static const fe GLV_G1 = {{0xd91d232ec7e0b3d7ULL, 0x2ULL, 0, 0}};
static const fe GLV_G2 = {{0x7a7bd9d4391eb18dULL, 0x4ccef014a773d2cfULL, 0x2ULL, 0}};

static void glv_init(void) { fq_to_mont(&GLV_BETA, &GLV_BETA_PLAIN); }

/* Full 512-bit product of two 256-bit naturals, little-endian limbs. */
static void mul_wide(uint64_t out[8], const fe *a, const fe *b) {
    memset(out, 0, 8 * sizeof(uint64_t));
    for (int i = 0; i < 4; i++) {
        u128 carry = 0;
        for (int j = 0; j < 4; j++) {
            carry += (u128)a->l[i] * b->l[j] + out[i + j];
            out[i + j] = (uint64_t)carry;
            carry >>= 64;
        }
        out[i + 4] = (uint64_t)carry;
    }
}

/* a·b mod 2^256. */
static void mul_low(fe *r, const fe *a, const fe *b) {
    uint64_t w[8];
    mul_wide(w, a, b);
    memcpy(r->l, w, sizeof(r->l));
}

/* Two's complement value t (mod 2^256, known to lie in (-2^255, 2^255)) -> magnitude, returns the sign. */
static int signed_magnitude(fe *mag, const fe *t) {
    if (!(t->l[3] >> 63)) { *mag = *t; return 0; }
    static const fe zero = {{0, 0, 0, 0}};
    fe_sub_raw(mag, &zero, t);
    return 1;
}

/* k = k1 + k2·lambda mod r for a plain k < r: magnitudes below 2^128 and their signs.
 * With x1 = k·b2/r, x2 = k·b1m/r exactly, (k, 0) = x1·v1 + x2·v2, so (k1, k2) = (x1 - c1)·v1 + (x2 - c2)·v2
 * with 0 <= x_i - c_i < 1.25 (g_i's truncation adds k/2^256 < 1/4): |k1| < 1.25·(a1 + a2) < 2^128,
 * |k2| < 1.25·(b1m + b2) < 2^128. */
static void glv_split(const fe *k, fe *k1, int *neg1, fe *k2, int *neg2) {
    uint64_t w[8];
    fe c1, c2, t, u;
    mul_wide(w, k, &GLV_G1);
    memcpy(c1.l, w + 4, sizeof(c1.l));
    mul_wide(w, k, &GLV_G2);
    memcpy(c2.l, w + 4, sizeof(c2.l));
    /* k1 = k - c1·a1 - c2·a2 */
    mul_low(&t, &c1, &GLV_A1);
    fe_sub_raw(&u, k, &t);
    mul_low(&t, &c2, &GLV_A2);
    fe_sub_raw(&u, &u, &t);
    *neg1 = signed_magnitude(k1, &u);
    /* k2 = -c1·b1 - c2·b2 = c1·b1m - c2·b2 */
    mul_low(&u, &c1, &GLV_B1M);
    mul_low(&t, &c2, &GLV_B2);
    fe_sub_raw(&u, &u, &t);
    *neg2 = signed_magnitude(k2, &u);
}

/* G1 MSM through GLV: 2n points (±P_i, ±phi(P_i)) with 128-bit scalars. Same contract as g1_msm. */
static int g1_msm_glv(g1_jac *out, const g1_aff *pts, const fe *scalars, size_t n, int threads) {
    g1_aff *pts2 = (g1_aff *)malloc(sizeof(g1_aff) * 2 * (n ? n : 1));
    fe *ks2 = (fe *)malloc(sizeof(fe) * 2 * (n ? n : 1));
    int ok = 0;
    if (pts2 && ks2) {
        for (size_t i = 0; i < n; i++) {
            int neg1, neg2;
            glv_split(&scalars[i], &ks2[i], &neg1, &ks2[n + i], &neg2);
            pts2[i] = pts[i];
            if (neg1) fq_neg(&pts2[i].y, &pts2[i].y);
            fq_mul(&pts2[n + i].x, &pts[i].x, &GLV_BETA);
            pts2[n + i].y = pts[i].y;
            if (neg2) fq_neg(&pts2[n + i].y, &pts2[n + i].y);
        }
        ok = g1_msm(out, pts2, ks2, 2 * n, GLV_BITS, threads);
    }
    free(pts2);
    free(ks2);
    return ok;
}

/* The MSM each binding runs: with the endomorphism (GLV on G1, GLS on G2, gls.h) unless endo is 0. */
static int g1_msm_entry(g1_jac *out, const g1_aff *pts, const fe *scalars, size_t n, int threads, int endo) {
    return endo ? g1_msm_glv(out, pts, scalars, n, threads) : g1_msm(out, pts, scalars, n, SCALAR_BITS, threads);
}

#endif
