/* Radix-2 NTT over Fr in Montgomery form: bit reversal, then Cooley-Tukey stages over one twiddle table. */
#ifndef ZKY_NTT_H
#define ZKY_NTT_H

#include "field.h"

/* a[i] *= base^i · scale (base or scale one skips that part). */
static void fr_scale_powers(fe *a, size_t n, const fe *base, const fe *scale) {
    int plain_base = fe_eq(base, &fr_ONE), plain_scale = fe_eq(scale, &fr_ONE);
    if (plain_base && plain_scale) return;
    fe acc = *scale;
    for (size_t i = 0; i < n; i++) {
        if (plain_base) {
            fr_mul(&a[i], &a[i], scale);
        } else {
            fr_mul(&a[i], &a[i], &acc);
            fr_mul(&acc, &acc, base);
        }
    }
}

/* In place: a becomes (sum_j a_j omega^(ij))_i for omega of order n (a power of two). Returns 0 on OOM. */
static int fr_ntt_inplace(fe *a, size_t n, const fe *omega) {
    if (n < 2) return 1;
    int log_n = 0;
    while (((size_t)1 << log_n) < n) log_n++;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        for (int b = 0; b < log_n; b++) j |= ((i >> b) & 1) << (log_n - 1 - b);
        if (i < j) { fe t = a[i]; a[i] = a[j]; a[j] = t; }
    }
    fe *tw = (fe *)malloc(sizeof(fe) * (n / 2));
    if (!tw) return 0;
    tw[0] = fr_ONE;
    for (size_t i = 1; i < n / 2; i++) fr_mul(&tw[i], &tw[i - 1], omega);
    for (size_t m = 1; m < n; m <<= 1) {
        size_t stride = n / (2 * m);
        for (size_t start = 0; start < n; start += 2 * m) {
            fe *lo = a + start, *hi = a + start + m;
            for (size_t j = 0; j < m; j++) {
                fe t, u = lo[j];
                fr_mul(&t, &hi[j], &tw[j * stride]);
                fr_add(&lo[j], &u, &t);
                fr_sub(&hi[j], &u, &t);
            }
        }
    }
    free(tw);
    return 1;
}

#endif
