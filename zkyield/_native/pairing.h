/* The optimal-ate pairing on BN254 over the tower Fq12 = Fq6[w]/(w^2 - v), Fq6 = Fq2[v]/(v^3 - xi).
 *
 * That tower (xi = 9 + u) is ffjavascript's, so an Fq12 value's coefficients c[j][k] (of w^j·v^k) are
 * exactly snarkjs's Gt layout. The Miller loop keeps T in affine twist coordinates (one Fq2 inversion
 * per step: simple, and fast enough for a verifier) and multiplies the line values of all pairs into
 * one accumulator, so a multi-pairing pays one loop of squarings and one final exponentiation.
 */
#ifndef ZKY_PAIRING_H
#define ZKY_PAIRING_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"

typedef struct { fe2 c[3]; } fe6;
typedef struct { fe6 c[2]; } fe12;

static void fq6_add(fe6 *r, const fe6 *a, const fe6 *b) { for (int i = 0; i < 3; i++) fq2_add(&r->c[i], &a->c[i], &b->c[i]); }
static void fq6_sub(fe6 *r, const fe6 *a, const fe6 *b) { for (int i = 0; i < 3; i++) fq2_sub(&r->c[i], &a->c[i], &b->c[i]); }
static void fq6_neg(fe6 *r, const fe6 *a) { for (int i = 0; i < 3; i++) fq2_neg(&r->c[i], &a->c[i]); }

/* (a0 + a1 v + a2 v^2)(b0 + b1 v + b2 v^2) with v^3 = xi, Karatsuba style (six Fq2 products). */
static void fq6_mul(fe6 *r, const fe6 *a, const fe6 *b) {
    fe2 t0, t1, t2, s, u, c0, c1, c2;
    fq2_mul(&t0, &a->c[0], &b->c[0]);
    fq2_mul(&t1, &a->c[1], &b->c[1]);
    fq2_mul(&t2, &a->c[2], &b->c[2]);
    fq2_add(&s, &a->c[1], &a->c[2]);
    fq2_add(&u, &b->c[1], &b->c[2]);
    fq2_mul(&s, &s, &u);
    fq2_sub(&s, &s, &t1);
    fq2_sub(&s, &s, &t2);
    fq2_mul_xi(&s, &s);
    fq2_add(&c0, &s, &t0);
    fq2_add(&s, &a->c[0], &a->c[1]);
    fq2_add(&u, &b->c[0], &b->c[1]);
    fq2_mul(&s, &s, &u);
    fq2_sub(&s, &s, &t0);
    fq2_sub(&s, &s, &t1);
    fq2_mul_xi(&u, &t2);
    fq2_add(&c1, &s, &u);
    fq2_add(&s, &a->c[0], &a->c[2]);
    fq2_add(&u, &b->c[0], &b->c[2]);
    fq2_mul(&s, &s, &u);
    fq2_sub(&s, &s, &t0);
    fq2_sub(&s, &s, &t2);
    fq2_add(&c2, &s, &t1);
    r->c[0] = c0;
    r->c[1] = c1;
    r->c[2] = c2;
}

/* Multiply by v: (a0, a1, a2)·v = (xi·a2, a0, a1). */
static void fq6_mul_v(fe6 *r, const fe6 *a) {
    fe2 t;
    fq2_mul_xi(&t, &a->c[2]);
    r->c[2] = a->c[1];
    r->c[1] = a->c[0];
    r->c[0] = t;
}

static void fq6_inv(fe6 *r, const fe6 *a) {
    fe2 c0, c1, c2, t, s;
    fq2_sqr(&c0, &a->c[0]);
    fq2_mul(&t, &a->c[1], &a->c[2]);
    fq2_mul_xi(&t, &t);
    fq2_sub(&c0, &c0, &t);
    fq2_sqr(&c1, &a->c[2]);
    fq2_mul_xi(&c1, &c1);
    fq2_mul(&t, &a->c[0], &a->c[1]);
    fq2_sub(&c1, &c1, &t);
    fq2_sqr(&c2, &a->c[1]);
    fq2_mul(&t, &a->c[0], &a->c[2]);
    fq2_sub(&c2, &c2, &t);
    fq2_mul(&t, &a->c[2], &c1);
    fq2_mul(&s, &a->c[1], &c2);
    fq2_add(&t, &t, &s);
    fq2_mul_xi(&t, &t);
    fq2_mul(&s, &a->c[0], &c0);
    fq2_add(&t, &t, &s);
    fq2_inv(&t, &t);
    fq2_mul(&r->c[0], &c0, &t);
    fq2_mul(&r->c[1], &c1, &t);
    fq2_mul(&r->c[2], &c2, &t);
}

static void fq12_one(fe12 *r) {
    memset(r, 0, sizeof(*r));
    r->c[0].c[0].c0 = fq_ONE;
}

static void fq12_mul(fe12 *r, const fe12 *a, const fe12 *b) {
    fe6 t0, t1, s, u;
    fq6_mul(&t0, &a->c[0], &b->c[0]);
    fq6_mul(&t1, &a->c[1], &b->c[1]);
    fq6_add(&s, &a->c[0], &a->c[1]);
    fq6_add(&u, &b->c[0], &b->c[1]);
    fq6_mul(&s, &s, &u);
    fq6_sub(&s, &s, &t0);
    fq6_sub(&r->c[1], &s, &t1);
    fq6_mul_v(&t1, &t1);
    fq6_add(&r->c[0], &t0, &t1);
}

static void fq12_sqr(fe12 *r, const fe12 *a) { fq12_mul(r, a, a); }

/* 1/(a0 + a1 w) = (a0 - a1 w)/(a0^2 - a1^2 v). */
static void fq12_inv(fe12 *r, const fe12 *a) {
    fe6 t0, t1;
    fq6_mul(&t0, &a->c[0], &a->c[0]);
    fq6_mul(&t1, &a->c[1], &a->c[1]);
    fq6_mul_v(&t1, &t1);
    fq6_sub(&t0, &t0, &t1);
    fq6_inv(&t0, &t0);
    fq6_mul(&r->c[0], &a->c[0], &t0);
    fq6_mul(&t1, &a->c[1], &t0);
    fq6_neg(&r->c[1], &t1);
}

static void fq12_conj(fe12 *r, const fe12 *a) {
    r->c[0] = a->c[0];
    fq6_neg(&r->c[1], &a->c[1]);
}

/* a^e, e given as n_limbs little-endian 64-bit limbs; a fixed 4-bit window. */
static void fq12_pow(fe12 *r, const fe12 *a, const uint64_t *e, size_t n_limbs) {
    fe12 table[16];
    fq12_one(&table[0]);
    for (int i = 1; i < 16; i++) fq12_mul(&table[i], &table[i - 1], a);
    fe12 acc;
    fq12_one(&acc);
    for (size_t i = n_limbs; i-- > 0;) {
        for (int nib = 15; nib >= 0; nib--) {
            for (int k = 0; k < 4; k++) fq12_sqr(&acc, &acc);
            unsigned d = (unsigned)(e[i] >> (4 * nib)) & 15u;
            if (d) fq12_mul(&acc, &acc, &table[d]);
        }
    }
    *r = acc;
}

/* (conj(f)/f)^e = f^((q^6 - 1)·e): the easy first factor of the final exponentiation by conjugation and one
 * inversion, then e (the caller's (q^6 + 1)/r, possibly times a fixed power) by square and multiply. */
static void final_exp(fe12 *r, const fe12 *f, const uint64_t *e, size_t n_limbs) {
    fe12 t, inv;
    fq12_conj(&t, f);
    fq12_inv(&inv, f);
    fq12_mul(&t, &t, &inv);
    fq12_pow(r, &t, e, n_limbs);
}

/* ---- final exponentiation through Frobenius maps (Fuentes-Castaneda, Knapp, Rodriguez-Henriquez 2011) ----
 *
 * f^((q^12 - 1)/r) = f^((q^6 - 1)(q^2 + 1) · (q^4 - q^2 + 1)/r). The easy part costs a conjugate, an inverse
 * and one Frobenius square; the hard part is raised, as in ffjavascript and gnark-crypto, to
 * 2z(6z^2 + 3z + 1)·(q^4 - q^2 + 1)/r, which takes three powers by z (63 bits) and Frobenius maps instead of
 * a 761-bit exponent. snarkjs's Gt values carry the same extra factor (zkyield/pairing.py FFJS_EXTRA_EXPONENT).
 */

#define BN_Z 0x44e992b44a6909f1ULL   /* z = 4965661367192848881 (EIP-197, py_ecc) */

/* FROB_GAMMA[i] = xi^(i(q-1)/6): (w^i)^q = w^i · FROB_GAMMA[i] since w^6 = xi. */
static fe2 FROB_GAMMA[6];

static void fq2_pow(fe2 *r, const fe2 *a, const fe *e) {
    fe2 acc;
    fq2_set_one(&acc);
    for (int i = 3; i >= 0; i--) {
        for (int b = 63; b >= 0; b--) {
            fq2_sqr(&acc, &acc);
            if ((e->l[i] >> b) & 1) fq2_mul(&acc, &acc, a);
        }
    }
    *r = acc;
}

static void frobenius_init(void) {
    fe e = fq_P, nine = {{9, 0, 0, 0}}, one = {{1, 0, 0, 0}};
    e.l[0] -= 1;   /* q - 1 (q is odd), then / 6 by long division */
    u128 rem = 0;
    for (int i = 3; i >= 0; i--) {
        u128 cur = (rem << 64) | e.l[i];
        e.l[i] = (uint64_t)(cur / 6);
        rem = cur % 6;
    }
    fe2 xi, g;
    fq_to_mont(&xi.c0, &nine);
    fq_to_mont(&xi.c1, &one);
    fq2_pow(&g, &xi, &e);
    fq2_set_one(&FROB_GAMMA[0]);
    for (int i = 1; i < 6; i++) fq2_mul(&FROB_GAMMA[i], &FROB_GAMMA[i - 1], &g);
}

/* a^q: conjugate every Fq2 coefficient of w^j·v^k = w^(j+2k), then scale it by FROB_GAMMA[j + 2k]. */
static void fq12_frobenius(fe12 *r, const fe12 *a) {
    for (int j = 0; j < 2; j++) {
        for (int k = 0; k < 3; k++) {
            fq2_conj(&r->c[j].c[k], &a->c[j].c[k]);
            if (j + 2 * k) fq2_mul(&r->c[j].c[k], &r->c[j].c[k], &FROB_GAMMA[j + 2 * k]);
        }
    }
}

static void fq12_frobenius_n(fe12 *r, const fe12 *a, int n) {
    *r = *a;
    for (int i = 0; i < n; i++) fq12_frobenius(r, r);
}

/* a^z by square and multiply (z's top bit is bit 62: acc starts at a). */
static void fq12_expt(fe12 *r, const fe12 *a) {
    fe12 acc = *a;
    for (int b = 61; b >= 0; b--) {
        fq12_sqr(&acc, &acc);
        if ((BN_Z >> b) & 1) fq12_mul(&acc, &acc, a);
    }
    *r = acc;
}

/* f^((q^6 - 1)(q^2 + 1) · 2z(6z^2 + 3z + 1)(q^4 - q^2 + 1)/r) for nonzero f. In the cyclotomic subgroup the
 * conjugate is the inverse; tests/test_native.py checks the chain against final_exp with that exponent. */
static void final_exp_frobenius(fe12 *r, const fe12 *f) {
    fe12 g, t0, t1, t2, t3, t4, inv;
    fq12_conj(&g, f);
    fq12_inv(&inv, f);
    fq12_mul(&g, &g, &inv);            /* f^(q^6 - 1) */
    fq12_frobenius_n(&t0, &g, 2);
    fq12_mul(&g, &t0, &g);             /* ^(q^2 + 1) */
    fq12_expt(&t0, &g);
    fq12_conj(&t0, &t0);               /* g^-z */
    fq12_sqr(&t0, &t0);
    fq12_sqr(&t1, &t0);
    fq12_mul(&t1, &t0, &t1);           /* g^-6z */
    fq12_expt(&t2, &t1);
    fq12_conj(&t2, &t2);               /* g^6z^2 */
    fq12_conj(&t3, &t1);
    fq12_mul(&t1, &t2, &t3);           /* g^(6z^2 + 6z) */
    fq12_sqr(&t3, &t2);
    fq12_expt(&t4, &t3);               /* g^12z^3 */
    fq12_mul(&t4, &t1, &t4);
    fq12_mul(&t3, &t0, &t4);
    fq12_mul(&t0, &t2, &t4);
    fq12_mul(&t0, &g, &t0);
    fq12_frobenius_n(&t2, &t3, 1);
    fq12_mul(&t0, &t2, &t0);
    fq12_frobenius_n(&t2, &t4, 2);
    fq12_mul(&t0, &t2, &t0);
    fq12_conj(&t2, &g);
    fq12_mul(&t2, &t2, &t3);
    fq12_frobenius_n(&t2, &t2, 3);
    fq12_mul(r, &t2, &t0);
}

/* ---- Miller loop ---- */

/* 6z + 2 for the BN parameter z = 4965661367192848881 (py_ecc ate_loop_count): bit 64 and these 64 bits. */
#define ATE_LOOP_LOW 0x9d797039be763ba8ULL

/* xi^((q-1)/3) and xi^((q-1)/2): the twisted Frobenius pi(x, y) = (conj(x)·G12, conj(y)·G13). */
static fe2 FROB_G12, FROB_G13;

static void pairing_init(void) {
    frobenius_init();
    /* Computed in Python as pow(9 + u, (q - 1)/3) and pow(9 + u, (q - 1)/2) over Fq2; tests against py_ecc pin them. */
    static const fe g12_c0 = {{0x99e39557176f553dULL, 0xb78cc310c2c3330cULL, 0x4c0bec3cf559b143ULL, 0x2fb347984f7911f7ULL}}, g12_c1 = {{0x1665d51c640fcba2ULL, 0x32ae2a1d0b7c9dceULL, 0x4ba4cc8bd75a0794ULL, 0x16c9e55061ebae20ULL}};
    static const fe g13_c0 = {{0xdc54014671a0135aULL, 0xdbaae0eda9c95998ULL, 0xdc5ec698b6e2f9b9ULL, 0x063cf305489af5dcULL}}, g13_c1 = {{0x82d37f632623b0e3ULL, 0x21807dc98fa25bd2ULL, 0x0704b5a7ec796f2bULL, 0x07c03cbcac41049aULL}};
    fq_to_mont(&FROB_G12.c0, &g12_c0);
    fq_to_mont(&FROB_G12.c1, &g12_c1);
    fq_to_mont(&FROB_G13.c0, &g13_c0);
    fq_to_mont(&FROB_G13.c1, &g13_c1);
}

/* Multiply f by the line through T and Q (T == Q: the tangent), evaluated at P = (xp, yp), and set T = T + Q.
 * With lambda the twist slope the line is yp - lambda·xp·w + (lambda·xT - yT)·v·w (a sparse Fq12 element);
 * a vertical line (T = -Q) lies in Fq6, which the final exponentiation maps to one, so it is skipped. */
static void line_step(fe12 *f, g2_aff *t, int *t_inf, const g2_aff *q, const fe *xp, const fe *yp) {
    fe2 lambda, num, den;
    if (*t_inf) { *t = *q; *t_inf = 0; return; }
    if (fq2_eq(&t->x, &q->x)) {
        if (!fq2_eq(&t->y, &q->y) || fq2_is_zero(&t->y)) { *t_inf = 1; return; }
        fq2_sqr(&num, &t->x);
        fe2 three;
        fq2_dbl(&three, &num);
        fq2_add(&num, &three, &num);
        fq2_dbl(&den, &t->y);
    } else {
        fq2_sub(&num, &q->y, &t->y);
        fq2_sub(&den, &q->x, &t->x);
    }
    fq2_inv(&den, &den);
    fq2_mul(&lambda, &num, &den);
    fe12 line;
    memset(&line, 0, sizeof(line));
    line.c[0].c[0].c0 = *yp;
    fq2_mul_fq(&line.c[1].c[0], &lambda, xp);
    fq2_neg(&line.c[1].c[0], &line.c[1].c[0]);
    fq2_mul(&line.c[1].c[1], &lambda, &t->x);
    fq2_sub(&line.c[1].c[1], &line.c[1].c[1], &t->y);
    fq12_mul(f, f, &line);
    /* T + Q: x3 = lambda^2 - xT - xQ, y3 = lambda(xT - x3) - yT. */
    fe2 x3, y3;
    fq2_sqr(&x3, &lambda);
    fq2_sub(&x3, &x3, &t->x);
    fq2_sub(&x3, &x3, &q->x);
    fq2_sub(&y3, &t->x, &x3);
    fq2_mul(&y3, &y3, &lambda);
    fq2_sub(&y3, &y3, &t->y);
    t->x = x3;
    t->y = y3;
}

static void frobenius_twist(g2_aff *r, const g2_aff *q) {
    fq2_conj(&r->x, &q->x);
    fq2_mul(&r->x, &r->x, &FROB_G12);
    fq2_conj(&r->y, &q->y);
    fq2_mul(&r->y, &r->y, &FROB_G13);
}

/* f = prod_i f_{6z+2, Q_i}(P_i) · l_{T, pi(Q_i)} · l_{T', -pi^2(Q_i)}: py_ecc's optimized_pairing loop, all pairs at once. */
static void miller_loop(fe12 *f, const g1_aff *ps, const g2_aff *qs, size_t n) {
    fq12_one(f);
    g2_aff *ts = (g2_aff *)malloc(sizeof(g2_aff) * (n ? n : 1));
    int *t_inf = (int *)calloc(n ? n : 1, sizeof(int));
    for (size_t k = 0; k < n; k++) ts[k] = qs[k];
    for (int bit = 63; bit >= 0; bit--) {
        fq12_sqr(f, f);
        for (size_t k = 0; k < n; k++) {
            g2_aff tcopy = ts[k];
            if (!t_inf[k]) line_step(f, &ts[k], &t_inf[k], &tcopy, &ps[k].x, &ps[k].y);
            if ((ATE_LOOP_LOW >> bit) & 1) line_step(f, &ts[k], &t_inf[k], &qs[k], &ps[k].x, &ps[k].y);
        }
    }
    for (size_t k = 0; k < n; k++) {
        g2_aff q1, q2;
        frobenius_twist(&q1, &qs[k]);
        frobenius_twist(&q2, &q1);
        fq2_neg(&q2.y, &q2.y);
        line_step(f, &ts[k], &t_inf[k], &q1, &ps[k].x, &ps[k].y);
        line_step(f, &ts[k], &t_inf[k], &q2, &ps[k].x, &ps[k].y);
    }
    free(ts);
    free(t_inf);
}

#endif
