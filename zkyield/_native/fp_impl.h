/* Montgomery arithmetic in one 254-bit prime field: four 64-bit limbs, products through unsigned __int128.
 *
 * A template: the includer defines F (the name prefix, fq or fr) and F_P0..F_P3 (the modulus, least
 * significant limb first). Elements live in Montgomery form x·2^256 mod p and are always fully reduced,
 * so equality and zero tests are limb comparisons. Both BN254 moduli are below 2^254, which keeps every
 * sum of two reduced elements inside four limbs.
 */
#define F_CAT2(a, b) a##_##b
#define F_CAT(a, b) F_CAT2(a, b)
#define FN(name) F_CAT(F, name)

static const fe FN(P) = {{F_P0, F_P1, F_P2, F_P3}};
static uint64_t FN(NINV);   /* -p^-1 mod 2^64 */
static fe FN(R2);           /* 2^512 mod p: to_mont(x) = mont_mul(x, R2) */
static fe FN(ONE);          /* 2^256 mod p: one in Montgomery form */
static fe FN(PM2);          /* p - 2, the Fermat inversion exponent */

static inline void FN(add)(fe *r, const fe *a, const fe *b) {
    fe_add_raw(r, a, b);
    if (fe_geq(r, &FN(P))) fe_sub_raw(r, r, &FN(P));
}

static inline void FN(sub)(fe *r, const fe *a, const fe *b) {
    if (fe_sub_raw(r, a, b)) fe_add_raw(r, r, &FN(P));
}

static inline void FN(dbl)(fe *r, const fe *a) { FN(add)(r, a, a); }

static inline void FN(neg)(fe *r, const fe *a) {
    if (fe_is_zero(a)) *r = *a;
    else fe_sub_raw(r, &FN(P), a);
}

/* Montgomery product a·b·2^-256 mod p: CIOS (Koc, Acar, Kaliski 1996) in gnark-crypto's "no-carry" form,
 * valid because the top limb of p is below 2^63 - 1 (it saves the two extra words of plain CIOS). */
static inline void FN(mul)(fe *r, const fe *a, const fe *b) {
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    const uint64_t *p = FN(P).l;
    for (int i = 0; i < 4; i++) {
        uint64_t bi = b->l[i];
        u128 A = (u128)a->l[0] * bi + t0;
        uint64_t m = (uint64_t)A * FN(NINV);
        u128 C = ((u128)m * p[0] + (uint64_t)A) >> 64;
        A = (A >> 64) + (u128)a->l[1] * bi + t1;
        C += (u128)m * p[1] + (uint64_t)A;
        t0 = (uint64_t)C;
        C >>= 64;
        A = (A >> 64) + (u128)a->l[2] * bi + t2;
        C += (u128)m * p[2] + (uint64_t)A;
        t1 = (uint64_t)C;
        C >>= 64;
        A = (A >> 64) + (u128)a->l[3] * bi + t3;
        C += (u128)m * p[3] + (uint64_t)A;
        t2 = (uint64_t)C;
        C >>= 64;
        t3 = (uint64_t)C + (uint64_t)(A >> 64);
    }
    fe out = {{t0, t1, t2, t3}};
    if (fe_geq(&out, &FN(P))) fe_sub_raw(&out, &out, &FN(P));
    *r = out;
}

static inline void FN(sqr)(fe *r, const fe *a) { FN(mul)(r, a, a); }

/* a^e for an exponent of n_limbs little-endian limbs (square and multiply, most significant bit first). */
static inline void FN(pow)(fe *r, const fe *a, const uint64_t *e, int n_limbs) {
    fe acc = FN(ONE), base = *a;
    for (int i = n_limbs - 1; i >= 0; i--) {
        for (int b = 63; b >= 0; b--) {
            FN(sqr)(&acc, &acc);
            if ((e[i] >> b) & 1) FN(mul)(&acc, &acc, &base);
        }
    }
    *r = acc;
}

/* Fermat inverse a^(p-2); the inverse of zero is zero (callers test for zero first). */
static inline void FN(inv)(fe *r, const fe *a) { FN(pow)(r, a, FN(PM2).l, 4); }

static inline void FN(to_mont)(fe *r, const fe *a) { FN(mul)(r, a, &FN(R2)); }

static inline void FN(from_mont)(fe *r, const fe *a) {
    static const fe one_plain = {{1, 0, 0, 0}};
    FN(mul)(r, a, &one_plain);
}

/* Read 32 little-endian bytes; returns 0 (and leaves r undefined) unless the value is below p. */
static inline int FN(load)(fe *r, const uint8_t *bytes) {
    fe_load_le(r, bytes);
    if (fe_geq(r, &FN(P))) return 0;
    FN(to_mont)(r, r);
    return 1;
}

static inline void FN(store)(uint8_t *bytes, const fe *a) {
    fe plain;
    FN(from_mont)(&plain, a);
    fe_store_le(bytes, &plain);
}

/* Derive the Montgomery constants from the modulus alone (no further hard-coded numbers). */
static void FN(init)(void) {
    uint64_t x = 1;
    for (int i = 0; i < 6; i++) x *= 2 - FN(P).l[0] * x;   /* Newton: x = p^-1 mod 2^64 */
    FN(NINV) = (uint64_t)0 - x;
    fe two_pow = {{1, 0, 0, 0}};
    for (int i = 0; i < 512; i++) FN(add)(&two_pow, &two_pow, &two_pow);
    FN(R2) = two_pow;
    static const fe one_plain = {{1, 0, 0, 0}};
    FN(mul)(&FN(ONE), &FN(R2), &one_plain);
    static const fe two_plain = {{2, 0, 0, 0}};
    fe_sub_raw(&FN(PM2), &FN(P), &two_plain);
}

#undef FN
#undef F_CAT
#undef F_CAT2
