/* BN254 base field Fq, scalar field Fr (both from fp_impl.h) and Fq2 = Fq[u]/(u^2 + 1). */
#ifndef ZKY_FIELD_H
#define ZKY_FIELD_H

#include <stdint.h>
#include <string.h>

typedef unsigned __int128 u128;
typedef struct { uint64_t l[4]; } fe;

static inline int fe_is_zero(const fe *a) { return (a->l[0] | a->l[1] | a->l[2] | a->l[3]) == 0; }

static inline int fe_eq(const fe *a, const fe *b) {
    return ((a->l[0] ^ b->l[0]) | (a->l[1] ^ b->l[1]) | (a->l[2] ^ b->l[2]) | (a->l[3] ^ b->l[3])) == 0;
}

static inline int fe_geq(const fe *a, const fe *b) {
    for (int i = 3; i >= 0; i--) {
        if (a->l[i] != b->l[i]) return a->l[i] > b->l[i];
    }
    return 1;
}

static inline uint64_t fe_add_raw(fe *r, const fe *a, const fe *b) {
    u128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (u128)a->l[i] + b->l[i];
        r->l[i] = (uint64_t)c;
        c >>= 64;
    }
    return (uint64_t)c;
}

static inline uint64_t fe_sub_raw(fe *r, const fe *a, const fe *b) {
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        u128 d = (u128)a->l[i] - b->l[i] - borrow;
        r->l[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    return borrow;
}

static inline void fe_load_le(fe *r, const uint8_t *b) {
    for (int i = 0; i < 4; i++) {
        uint64_t v = 0;
        for (int k = 7; k >= 0; k--) v = (v << 8) | b[8 * i + k];
        r->l[i] = v;
    }
}

static inline void fe_store_le(uint8_t *b, const fe *a) {
    for (int i = 0; i < 4; i++) {
        for (int k = 0; k < 8; k++) b[8 * i + k] = (uint8_t)(a->l[i] >> (8 * k));
    }
}

/* q = 21888242871839275222246405745257275088696311157297823662689037894645226208583 (EIP-196). */
#define F fq
#define F_P0 0x3c208c16d87cfd47ULL
#define F_P1 0x97816a916871ca8dULL
#define F_P2 0xb85045b68181585dULL
#define F_P3 0x30644e72e131a029ULL
#include "fp_impl.h"
#undef F
#undef F_P0
#undef F_P1
#undef F_P2
#undef F_P3

/* r = 21888242871839275222246405745257275088548364400416034343698204186575808495617 (EIP-196). */
#define F fr
#define F_P0 0x43e1f593f0000001ULL
#define F_P1 0x2833e84879b97091ULL
#define F_P2 0xb85045b68181585dULL
#define F_P3 0x30644e72e131a029ULL
#include "fp_impl.h"
#undef F
#undef F_P0
#undef F_P1
#undef F_P2
#undef F_P3

/* ---- Fq2: (c0, c1) = c0 + c1·u, u^2 = -1 (EIP-197, snarkjs order) ---- */
typedef struct { fe c0, c1; } fe2;

static inline int fq2_is_zero(const fe2 *a) { return fe_is_zero(&a->c0) && fe_is_zero(&a->c1); }
static inline int fq2_eq(const fe2 *a, const fe2 *b) { return fe_eq(&a->c0, &b->c0) && fe_eq(&a->c1, &b->c1); }
static inline void fq2_add(fe2 *r, const fe2 *a, const fe2 *b) { fq_add(&r->c0, &a->c0, &b->c0); fq_add(&r->c1, &a->c1, &b->c1); }
static inline void fq2_sub(fe2 *r, const fe2 *a, const fe2 *b) { fq_sub(&r->c0, &a->c0, &b->c0); fq_sub(&r->c1, &a->c1, &b->c1); }
static inline void fq2_dbl(fe2 *r, const fe2 *a) { fq_dbl(&r->c0, &a->c0); fq_dbl(&r->c1, &a->c1); }
static inline void fq2_neg(fe2 *r, const fe2 *a) { fq_neg(&r->c0, &a->c0); fq_neg(&r->c1, &a->c1); }
static inline void fq2_conj(fe2 *r, const fe2 *a) { r->c0 = a->c0; fq_neg(&r->c1, &a->c1); }

/* Karatsuba: three base-field products. */
static inline void fq2_mul(fe2 *r, const fe2 *a, const fe2 *b) {
    fe t0, t1, sa, sb;
    fq_mul(&t0, &a->c0, &b->c0);
    fq_mul(&t1, &a->c1, &b->c1);
    fq_add(&sa, &a->c0, &a->c1);
    fq_add(&sb, &b->c0, &b->c1);
    fq_mul(&sa, &sa, &sb);
    fq_sub(&r->c0, &t0, &t1);
    fq_sub(&sa, &sa, &t0);
    fq_sub(&r->c1, &sa, &t1);
}

/* (c0 + c1 u)^2 = (c0 + c1)(c0 - c1) + 2 c0 c1 u. */
static inline void fq2_sqr(fe2 *r, const fe2 *a) {
    fe s, d, p;
    fq_add(&s, &a->c0, &a->c1);
    fq_sub(&d, &a->c0, &a->c1);
    fq_mul(&p, &a->c0, &a->c1);
    fq_mul(&r->c0, &s, &d);
    fq_dbl(&r->c1, &p);
}

static inline void fq2_mul_fq(fe2 *r, const fe2 *a, const fe *k) { fq_mul(&r->c0, &a->c0, k); fq_mul(&r->c1, &a->c1, k); }

/* Multiply by xi = 9 + u: (9 c0 - c1) + (c0 + 9 c1) u. */
static inline void fq2_mul_xi(fe2 *r, const fe2 *a) {
    fe e0, e1;
    fq_dbl(&e0, &a->c0); fq_dbl(&e0, &e0); fq_dbl(&e0, &e0); fq_add(&e0, &e0, &a->c0);
    fq_dbl(&e1, &a->c1); fq_dbl(&e1, &e1); fq_dbl(&e1, &e1); fq_add(&e1, &e1, &a->c1);
    fe c0, c1;
    fq_sub(&c0, &e0, &a->c1);
    fq_add(&c1, &a->c0, &e1);
    r->c0 = c0;
    r->c1 = c1;
}

/* 1/(c0 + c1 u) = (c0 - c1 u)/(c0^2 + c1^2); zero maps to zero. */
static inline void fq2_inv(fe2 *r, const fe2 *a) {
    fe n, t;
    fq_sqr(&n, &a->c0);
    fq_sqr(&t, &a->c1);
    fq_add(&n, &n, &t);
    fq_inv(&n, &n);
    fq_mul(&r->c0, &a->c0, &n);
    fq_mul(&t, &a->c1, &n);
    fq_neg(&r->c1, &t);
}

static inline int fq2_load(fe2 *r, const uint8_t *b) { return fq_load(&r->c0, b) && fq_load(&r->c1, b + 32); }
static inline void fq2_store(uint8_t *b, const fe2 *a) { fq_store(b, &a->c0); fq_store(b + 32, &a->c1); }

#endif
