/* zkyield._native._bn254: the optional C backend for BN254 MSM, fixed-base multiplication, NTT and pairing.
 *
 * Every value crosses the boundary as contiguous 32-byte little-endian integers in standard (not
 * Montgomery) form: Fr/Fq elements 32 bytes, G1 points x||y (64), G2 points x.c0||x.c1||y.c0||y.c1 (128),
 * the point at infinity all zero bytes (zkyield's proving-key convention). Inputs are range-checked
 * (coordinates < q, scalars < r) and raise ValueError otherwise; curve membership is the caller's job,
 * as in the pure-Python path. Long computations release the GIL.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "gls.h"
#include "ntt.h"
#include "pairing.h"

/* ---- int <-> 32-byte little-endian conversion ---- */

static int int_to_le32(PyObject *o, uint8_t *out) {
    if (!PyLong_Check(o)) {
        PyErr_SetString(PyExc_TypeError, "expected an int");
        return 0;
    }
#if PY_VERSION_HEX >= 0x030D0000
    Py_ssize_t need = PyLong_AsNativeBytes(o, out, 32, Py_ASNATIVEBYTES_LITTLE_ENDIAN | Py_ASNATIVEBYTES_UNSIGNED_BUFFER
                                                           | Py_ASNATIVEBYTES_REJECT_NEGATIVE);
    if (need < 0) return 0;
    if (need > 32) {
        PyErr_SetString(PyExc_OverflowError, "int does not fit in 32 bytes");
        return 0;
    }
    return 1;
#else
    return _PyLong_AsByteArray((PyLongObject *)o, out, 32, 1, 0) == 0;
#endif
}

static PyObject *int_from_le32(const uint8_t *b) {
#if PY_VERSION_HEX >= 0x030D0000
    return PyLong_FromUnsignedNativeBytes(b, 32, Py_ASNATIVEBYTES_LITTLE_ENDIAN);
#else
    return _PyLong_FromByteArray(b, 32, 1, 0);
#endif
}

/* pack(values, ints_per_item): ints (1), G1 points (2) or G2 points (4) as bytes; None packs as zeros. */
static PyObject *py_pack(PyObject *self, PyObject *args) {
    PyObject *seq;
    int width;
    if (!PyArg_ParseTuple(args, "Oi", &seq, &width)) return NULL;
    if (width != 1 && width != 2 && width != 4) {
        PyErr_SetString(PyExc_ValueError, "pack: width must be 1, 2 or 4");
        return NULL;
    }
    PyObject *fast = PySequence_Fast(seq, "pack: expected a sequence");
    if (!fast) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * 32 * width);
    if (!out) { Py_DECREF(fast); return NULL; }
    uint8_t *buf = (uint8_t *)PyBytes_AS_STRING(out);
    memset(buf, 0, (size_t)n * 32 * width);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(fast, i);
        uint8_t *dst = buf + (size_t)i * 32 * width;
        int ok = 1;
        if (width == 1) {
            ok = int_to_le32(item, dst);
        } else if (item != Py_None) {
            if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
                PyErr_SetString(PyExc_TypeError, "pack: expected a point tuple or None");
                ok = 0;
            }
            for (int c = 0; ok && c < 2; c++) {
                PyObject *coord = PyTuple_GET_ITEM(item, c);
                if (width == 2) {
                    ok = int_to_le32(coord, dst + 32 * c);
                } else if (!PyTuple_Check(coord) || PyTuple_GET_SIZE(coord) != 2) {
                    PyErr_SetString(PyExc_TypeError, "pack: expected an Fq2 pair");
                    ok = 0;
                } else {
                    ok = int_to_le32(PyTuple_GET_ITEM(coord, 0), dst + 64 * c)
                         && int_to_le32(PyTuple_GET_ITEM(coord, 1), dst + 64 * c + 32);
                }
            }
        }
        if (!ok) { Py_DECREF(fast); Py_DECREF(out); return NULL; }
    }
    Py_DECREF(fast);
    return out;
}

static int all_zero(const uint8_t *b, size_t len) {
    for (size_t i = 0; i < len; i++) if (b[i]) return 0;
    return 1;
}

/* unpack(buffer, ints_per_item): the inverse of pack (all-zero points come back as None). */
static PyObject *py_unpack(PyObject *self, PyObject *args) {
    Py_buffer in;
    int width;
    if (!PyArg_ParseTuple(args, "y*i", &in, &width)) return NULL;
    size_t item = 32 * (size_t)(width > 0 ? width : 1);
    if ((width != 1 && width != 2 && width != 4) || in.len % item) {
        PyBuffer_Release(&in);
        PyErr_SetString(PyExc_ValueError, "unpack: width must be 1, 2 or 4 and divide the buffer");
        return NULL;
    }
    Py_ssize_t n = in.len / (Py_ssize_t)item;
    PyObject *list = PyList_New(n);
    const uint8_t *b = (const uint8_t *)in.buf;
    for (Py_ssize_t i = 0; list && i < n; i++) {
        const uint8_t *src = b + (size_t)i * item;
        PyObject *v;
        if (width == 1) v = int_from_le32(src);
        else if (all_zero(src, item)) { Py_INCREF(Py_None); v = Py_None; }
        else if (width == 2) v = Py_BuildValue("(NN)", int_from_le32(src), int_from_le32(src + 32));
        else v = Py_BuildValue("((NN)(NN))", int_from_le32(src), int_from_le32(src + 32),
                               int_from_le32(src + 64), int_from_le32(src + 96));
        if (!v) { Py_CLEAR(list); break; }
        PyList_SET_ITEM(list, i, v);
    }
    PyBuffer_Release(&in);
    return list;
}

/* ---- loading points and scalars ---- */

static int g1_load(g1_aff *p, const uint8_t *b) { return fq_load(&p->x, b) && fq_load(&p->y, b + 32); }
static int g2_load(g2_aff *p, const uint8_t *b) { return fq2_load(&p->x, b) && fq2_load(&p->y, b + 64); }
static void g1_store(uint8_t *b, const g1_aff *p) { fq_store(b, &p->x); fq_store(b + 32, &p->y); }
static void g2_store(uint8_t *b, const g2_aff *p) { fq2_store(b, &p->x); fq2_store(b + 64, &p->y); }

static int scalar_load(fe *k, const uint8_t *b) {
    fe_load_le(k, b);
    return !fe_geq(k, &fr_P);
}

static PyObject *range_error(const char *what) {
    PyErr_Format(PyExc_ValueError, "%s is not a canonical field element (coordinates < q, scalars < r)", what);
    return NULL;
}

/* ---- decoding key files: big-endian coordinates, validated on their curve ---- */

static fe G1_B_MONT;    /* 3 (EIP-196) */
static fe2 G2_B_MONT;   /* 3/(9 + u) (EIP-197) */

static void curve_constants_init(void) {
    static const fe three = {{3, 0, 0, 0}}, nine = {{9, 0, 0, 0}}, one = {{1, 0, 0, 0}};
    fq_to_mont(&G1_B_MONT, &three);
    fe2 xi;
    fq_to_mont(&xi.c0, &nine);
    fq_to_mont(&xi.c1, &one);
    fq2_inv(&xi, &xi);
    fq2_mul_fq(&G2_B_MONT, &xi, &G1_B_MONT);
}

static int g1_on_curve(const g1_aff *p) {
    fe lhs, rhs;
    fq_sqr(&lhs, &p->y);
    fq_sqr(&rhs, &p->x);
    fq_mul(&rhs, &rhs, &p->x);
    fq_add(&rhs, &rhs, &G1_B_MONT);
    return fe_eq(&lhs, &rhs);
}

static int g2_on_curve(const g2_aff *p) {
    fe2 lhs, rhs;
    fq2_sqr(&lhs, &p->y);
    fq2_sqr(&rhs, &p->x);
    fq2_mul(&rhs, &rhs, &p->x);
    fq2_add(&rhs, &rhs, &G2_B_MONT);
    return fq2_eq(&lhs, &rhs);
}

/* A point stored as big-endian 32-byte coordinates (width 2: G1, 4: G2) written into ``le`` as pack()'s
 * little-endian layout; returns POINT_INFINITY (all zero), POINT_OK (on its curve, coordinates < q) or
 * POINT_BAD. decode_points and repack_points share it. */
enum { POINT_BAD = 0, POINT_OK = 1, POINT_INFINITY = 2 };
static int be_point_to_le(uint8_t *le, const uint8_t *src, int width) {
    size_t item = 32 * (size_t)width;
    for (size_t c = 0; c < item / 32; c++)
        for (int k = 0; k < 32; k++) le[32 * c + k] = src[32 * c + 31 - k];
    if (all_zero(le, item)) return POINT_INFINITY;
    if (width == 2) {
        g1_aff p;
        return g1_load(&p, le) && g1_on_curve(&p) ? POINT_OK : POINT_BAD;
    }
    g2_aff p;
    return g2_load(&p, le) && g2_on_curve(&p) ? POINT_OK : POINT_BAD;
}

static PyObject *point_error(const char *msg, size_t index) {
    PyObject *err = Py_BuildValue("(sn)", msg, (Py_ssize_t)index);
    if (err) PyErr_SetObject(PyExc_ValueError, err);
    Py_XDECREF(err);
    return NULL;
}

/* decode_points(buffer, width): points stored as big-endian 32-byte coordinates (G1 width 2, G2 width 4;
 * all zero = infinity) -> list of affine tuples / None. Raises ValueError(message, index) for the first
 * point with a coordinate >= q or off its curve (G2 subgroup membership is not checked here). */
static PyObject *py_decode_points(PyObject *self, PyObject *args) {
    Py_buffer in;
    int width;
    if (!PyArg_ParseTuple(args, "y*i", &in, &width)) return NULL;
    size_t item = 32 * (size_t)(width == 4 ? 4 : 2);
    if ((width != 2 && width != 4) || in.len % item) {
        PyBuffer_Release(&in);
        PyErr_SetString(PyExc_ValueError, "decode_points: width must be 2 or 4 and divide the buffer");
        return NULL;
    }
    Py_ssize_t n = in.len / (Py_ssize_t)item;
    PyObject *list = PyList_New(n);
    for (Py_ssize_t i = 0; list && i < n; i++) {
        uint8_t le[128];
        int kind = be_point_to_le(le, (const uint8_t *)in.buf + (size_t)i * item, width);
        if (kind == POINT_INFINITY) {
            Py_INCREF(Py_None);
            PyList_SET_ITEM(list, i, Py_None);
            continue;
        }
        if (kind == POINT_BAD) {
            point_error("point is not on its curve (or has a coordinate >= q)", (size_t)i);
            Py_CLEAR(list);
            break;
        }
        PyObject *v = width == 2
            ? Py_BuildValue("(NN)", int_from_le32(le), int_from_le32(le + 32))
            : Py_BuildValue("((NN)(NN))", int_from_le32(le), int_from_le32(le + 32), int_from_le32(le + 64),
                            int_from_le32(le + 96));
        if (!v) { Py_CLEAR(list); break; }
        PyList_SET_ITEM(list, i, v);
    }
    PyBuffer_Release(&in);
    return list;
}

/* repack_points(buffer, width): decode_points' checks, but the result is pack()'s buffer (each coordinate
 * 32-byte little-endian, infinity all zero) instead of Python tuples: a key's query lists go straight from
 * the file to the MSMs without ~200 bytes of Python objects per point. Raises ValueError(message, index). */
static PyObject *py_repack_points(PyObject *self, PyObject *args) {
    Py_buffer in;
    int width;
    if (!PyArg_ParseTuple(args, "y*i", &in, &width)) return NULL;
    size_t item = 32 * (size_t)(width == 4 ? 4 : 2);
    if ((width != 2 && width != 4) || in.len % item) {
        PyBuffer_Release(&in);
        PyErr_SetString(PyExc_ValueError, "repack_points: width must be 2 or 4 and divide the buffer");
        return NULL;
    }
    Py_ssize_t n = in.len / (Py_ssize_t)item;
    PyObject *out = PyBytes_FromStringAndSize(NULL, in.len);
    if (!out) { PyBuffer_Release(&in); return NULL; }
    uint8_t *dst = (uint8_t *)PyBytes_AS_STRING(out);
    Py_ssize_t bad = -1;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        if (be_point_to_le(dst + (size_t)i * item, (const uint8_t *)in.buf + (size_t)i * item, width) == POINT_BAD) {
            bad = i;
            break;
        }
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&in);
    if (bad >= 0) {
        Py_DECREF(out);
        return point_error("point is not on its curve (or has a coordinate >= q)", (size_t)bad);
    }
    return out;
}


/* decode_mont_points(buffer, width, subgroup, threads): points as snarkjs stores them in .ptau/.zkey (each
 * coordinate x·2^256 mod q, 32 bytes little-endian: our own Montgomery form; all zero = infinity) -> list of
 * affine tuples / None. Raises ValueError(message, index) for the first point with a coordinate >= q, off its
 * curve, or (G2 with subgroup true) outside G2; the subgroup tests run on `threads` threads. */
static PyObject *py_decode_mont_points(PyObject *self, PyObject *args) {
    Py_buffer in;
    int width, subgroup, threads;
    if (!PyArg_ParseTuple(args, "y*ipi", &in, &width, &subgroup, &threads)) return NULL;
    size_t item = 32 * (size_t)(width == 4 ? 4 : 2);
    PyObject *list = NULL;
    g1_aff *p1 = NULL;
    g2_aff *p2 = NULL;
    uint8_t *inf = NULL;
    if ((width != 2 && width != 4) || in.len % item) {
        PyErr_SetString(PyExc_ValueError, "decode_mont_points: width must be 2 or 4 and divide the buffer");
        goto done;
    }
    size_t n = (size_t)in.len / item;
    inf = (uint8_t *)malloc(n ? n : 1);
    if (width == 2) p1 = (g1_aff *)malloc(sizeof(g1_aff) * (n ? n : 1));
    else p2 = (g2_aff *)malloc(sizeof(g2_aff) * (n ? n : 1));
    if (!inf || (!p1 && !p2)) { PyErr_NoMemory(); goto done; }
    for (size_t i = 0; i < n; i++) {
        const uint8_t *src = (const uint8_t *)in.buf + i * item;
        inf[i] = (uint8_t)all_zero(src, item);
        if (inf[i]) continue;
        fe c[4];
        int ok = 1;
        for (size_t k = 0; k < item / 32; k++) {
            fe_load_le(&c[k], src + 32 * k);
            ok = ok && !fe_geq(&c[k], &fq_P);
        }
        if (ok && width == 2) {
            p1[i].x = c[0];
            p1[i].y = c[1];
            ok = g1_on_curve(&p1[i]);
        } else if (ok) {
            p2[i].x.c0 = c[0];
            p2[i].x.c1 = c[1];
            p2[i].y.c0 = c[2];
            p2[i].y.c1 = c[3];
            ok = g2_on_curve(&p2[i]);
        }
        if (!ok) { point_error("point is not on its curve (or has a coordinate >= q)", i); goto done; }
    }
    if (width == 4 && subgroup) {
        size_t bad;
        Py_BEGIN_ALLOW_THREADS bad = g2_first_outside_subgroup(p2, inf, n, threads);
        Py_END_ALLOW_THREADS
        if (bad != (size_t)-1) { point_error("point is on the twist but outside the order-r subgroup G2", bad); goto done; }
    }
    list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *v;
        uint8_t le[128];
        if (inf[i]) {
            Py_INCREF(Py_None);
            v = Py_None;
        } else if (width == 2) {
            g1_store(le, &p1[i]);
            v = Py_BuildValue("(NN)", int_from_le32(le), int_from_le32(le + 32));
        } else {
            g2_store(le, &p2[i]);
            v = Py_BuildValue("((NN)(NN))", int_from_le32(le), int_from_le32(le + 32), int_from_le32(le + 64),
                              int_from_le32(le + 96));
        }
        if (!v) { Py_CLEAR(list); break; }
        PyList_SET_ITEM(list, (Py_ssize_t)i, v);
    }
done:
    free(p1);
    free(p2);
    free(inf);
    PyBuffer_Release(&in);
    return list;
}

/* repack_mont_points(buffer, width, subgroup, threads): decode_mont_points' checks (coordinates < q, on the
 * curve, G2 points in G2 when subgroup is true), but the result is pack()'s buffer (standard form, 32-byte
 * little-endian coordinates, infinity all zero) instead of Python tuples: a .zkey's query sections go from the
 * file to the prover's MSMs without a Python object per point. The points are split over `threads` threads.
 * Raises ValueError(message, index) for the first bad point (each point's first failing check names it). */
typedef struct {
    const uint8_t *src;
    uint8_t *dst;
    size_t begin, end, width, first_bad;
    int subgroup, why;   /* why: 0 off the curve or coordinate >= q, 1 outside G2 */
} mont_repack_job;

static void *mont_repack_worker(void *arg) {
    mont_repack_job *job = (mont_repack_job *)arg;
    size_t item = 32 * job->width;
    job->first_bad = (size_t)-1;
    for (size_t i = job->begin; i < job->end; i++) {
        const uint8_t *src = job->src + i * item;
        uint8_t *dst = job->dst + i * item;
        if (all_zero(src, item)) { memset(dst, 0, item); continue; }
        fe c[4];
        int ok = 1;
        for (size_t k = 0; k < job->width; k++) {
            fe_load_le(&c[k], src + 32 * k);
            ok = ok && !fe_geq(&c[k], &fq_P);
        }
        if (ok && job->width == 2) {
            g1_aff p = {c[0], c[1]};
            ok = g1_on_curve(&p);
            if (ok) g1_store(dst, &p);
        } else if (ok) {
            g2_aff p = {{c[0], c[1]}, {c[2], c[3]}};
            ok = g2_on_curve(&p);
            if (ok && job->subgroup && !g2_in_subgroup_aff(&p)) { job->why = 1; ok = 0; }
            if (ok) g2_store(dst, &p);
        }
        if (!ok) { job->first_bad = i; break; }
    }
    return NULL;
}

static PyObject *py_repack_mont_points(PyObject *self, PyObject *args) {
    Py_buffer in;
    int width, subgroup, threads;
    if (!PyArg_ParseTuple(args, "y*ipi", &in, &width, &subgroup, &threads)) return NULL;
    size_t item = 32 * (size_t)(width == 4 ? 4 : 2);
    PyObject *out = NULL;
    if ((width != 2 && width != 4) || in.len % item) {
        PyErr_SetString(PyExc_ValueError, "repack_mont_points: width must be 2 or 4 and divide the buffer");
        goto done;
    }
    size_t n = (size_t)in.len / item;
    out = PyBytes_FromStringAndSize(NULL, in.len);
    if (!out) goto done;
    /* A thread per 4096 G1 points (1024 G2 points, or 64 with the subgroup test): fewer would not pay its start. */
    size_t per = width == 2 ? 4096 : subgroup ? 64 : 1024;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    if ((size_t)threads > n / per) threads = (int)(n / per);
    if (threads < 1) threads = 1;
    mont_repack_job jobs[MAX_THREADS];
    for (int t = 0; t < threads; t++)
        jobs[t] = (mont_repack_job){(const uint8_t *)in.buf, (uint8_t *)PyBytes_AS_STRING(out),
                                    n * t / threads, n * (t + 1) / threads, (size_t)width, 0, subgroup, 0};
    Py_BEGIN_ALLOW_THREADS run_parallel(mont_repack_worker, jobs, sizeof(mont_repack_job), threads);
    Py_END_ALLOW_THREADS
    for (int t = 0; t < threads; t++) {
        if (jobs[t].first_bad == (size_t)-1) continue;
        Py_CLEAR(out);
        point_error(jobs[t].why ? "point is on the twist but outside the order-r subgroup G2"
                                : "point is not on its curve (or has a coordinate >= q)", jobs[t].first_bad);
        break;
    }
done:
    PyBuffer_Release(&in);
    return out;
}

/* ---- a .zkey's coefficients section (4): u32 matrix, u32 row, u32 wire, then the value as c·2^512 mod r ---- */

#define COEF_BYTES 44

static int coef_read(const uint8_t *e, uint32_t *matrix, uint32_t *row, uint32_t *wire, fe *value) {
    memcpy(matrix, e, 4);   /* the file is little-endian, as is every platform this builds on (x86-64, arm64) */
    memcpy(row, e + 4, 4);
    memcpy(wire, e + 8, 4);
    fe_load_le(value, e + 12);
    return !fe_geq(value, &fr_P);
}

/* zkey_coefs_check(entries, n_vars, domain) -> index of the first entry with a matrix other than 0 (A) or
 * 1 (B), a row >= domain, a wire >= n_vars or a value >= r; -1 when all are valid. `entries` is the section
 * after its u32 count (a whole number of 44-byte entries). */
static PyObject *py_zkey_coefs_check(PyObject *self, PyObject *args) {
    Py_buffer in;
    Py_ssize_t n_vars, domain;
    if (!PyArg_ParseTuple(args, "y*nn", &in, &n_vars, &domain)) return NULL;
    PyObject *result = NULL;
    if (in.len % COEF_BYTES) {
        PyErr_SetString(PyExc_ValueError, "zkey_coefs_check: not a whole number of 44-byte entries");
        goto done;
    }
    Py_ssize_t n = in.len / COEF_BYTES, bad = -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        uint32_t matrix, row, wire;
        fe v;
        int ok = coef_read((const uint8_t *)in.buf + (size_t)i * COEF_BYTES, &matrix, &row, &wire, &v);
        if (!ok || matrix > 1 || (Py_ssize_t)row >= domain || (Py_ssize_t)wire >= n_vars) { bad = i; break; }
    }
    result = PyLong_FromSsize_t(bad);
done:
    PyBuffer_Release(&in);
    return result;
}

/* zkey_rows(entries, witness, domain) -> (a, b, c): snarkjs's QAP rows from a .zkey's coefficients and a packed
 * witness (32-byte little-endian standard form, each < r): a_i = Σ c·w over the A entries of row i, b_i likewise,
 * c_i = a_i·b_i, each row domain·32 bytes in standard form. mont_mul(c·2^512, w) = c·w·2^256, so each entry costs
 * one product and each row one more (mont_mul by 1) at the end. ValueError for a witness value >= r or an entry
 * zkey_coefs_check refuses (a wire beyond the witness, a row beyond the domain). */
static PyObject *py_zkey_rows(PyObject *self, PyObject *args) {
    Py_buffer in, wb;
    Py_ssize_t domain;
    if (!PyArg_ParseTuple(args, "y*y*n", &in, &wb, &domain)) return NULL;
    PyObject *result = NULL, *ra = NULL, *rb = NULL, *rc = NULL;
    fe *acc = NULL;
    if (in.len % COEF_BYTES || wb.len % 32 || domain < 0) {
        PyErr_SetString(PyExc_ValueError, "zkey_rows: entries, witness or domain of the wrong size");
        goto done;
    }
    size_t n_wires = (size_t)wb.len / 32, size = (size_t)domain;
    const uint8_t *w = (const uint8_t *)wb.buf;
    for (size_t i = 0; i < n_wires; i++) {
        fe v;
        if (!fr_load(&v, w + 32 * i)) {
            PyErr_SetString(PyExc_ValueError, "zkey_rows: a witness value is not a canonical Fr element");
            goto done;
        }
    }
    acc = (fe *)calloc(2 * (size ? size : 1), sizeof(fe));   /* A rows, then B rows; zero is zero in either form */
    ra = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(32 * size));
    rb = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(32 * size));
    rc = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(32 * size));
    if (!acc) { PyErr_NoMemory(); goto done; }
    if (!ra || !rb || !rc) goto done;
    Py_ssize_t n = in.len / COEF_BYTES;
    for (Py_ssize_t i = 0; i < n; i++) {
        uint32_t matrix, row, wire;
        fe v, wv, t;
        int ok = coef_read((const uint8_t *)in.buf + (size_t)i * COEF_BYTES, &matrix, &row, &wire, &v);
        if (!ok || matrix > 1 || row >= size || wire >= n_wires) {
            PyErr_Format(PyExc_ValueError, "zkey_rows: coefficient %zd is invalid", i);
            goto done;
        }
        fe_load_le(&wv, w + 32 * (size_t)wire);
        fr_mul(&t, &v, &wv);
        fe *slot = &acc[(size_t)matrix * size + row];
        fr_add(slot, slot, &t);
    }
    uint8_t *pa = (uint8_t *)PyBytes_AS_STRING(ra), *pb = (uint8_t *)PyBytes_AS_STRING(rb),
            *pc = (uint8_t *)PyBytes_AS_STRING(rc);
    for (size_t i = 0; i < size; i++) {
        fe a, b, c;
        fr_from_mont(&a, &acc[i]);           /* Σ c·w */
        fr_from_mont(&b, &acc[size + i]);
        fr_mul(&c, &acc[i], &acc[size + i]); /* (a·2^256)(b·2^256)/2^256 = a·b·2^256 */
        fr_from_mont(&c, &c);
        fe_store_le(pa + 32 * i, &a);
        fe_store_le(pb + 32 * i, &b);
        fe_store_le(pc + 32 * i, &c);
    }
    result = PyTuple_Pack(3, ra, rb, rc);
done:
    Py_XDECREF(ra);
    Py_XDECREF(rb);
    Py_XDECREF(rc);
    free(acc);
    PyBuffer_Release(&in);
    PyBuffer_Release(&wb);
    return result;
}

/* encode_mont(packed, width): packed points (standard form, pack width 2 or 4; all zero = infinity) in the
 * .ptau/.zkey encoding: every coordinate as x·2^256 mod q, 32 bytes little-endian (infinity stays zero). */
static PyObject *py_encode_mont(PyObject *self, PyObject *args) {
    Py_buffer in;
    int width;
    if (!PyArg_ParseTuple(args, "y*i", &in, &width)) return NULL;
    PyObject *result = NULL;
    size_t item = 32 * (size_t)width;
    if ((width != 2 && width != 4) || in.len % item) {
        PyErr_SetString(PyExc_ValueError, "encode_mont: width must be 2 or 4 and divide the buffer");
        goto done;
    }
    result = PyBytes_FromStringAndSize(NULL, in.len);
    if (!result) goto done;
    uint8_t *out = (uint8_t *)PyBytes_AS_STRING(result);
    for (size_t i = 0; i < (size_t)in.len / item; i++) {
        const uint8_t *src = (const uint8_t *)in.buf + i * item;
        if (all_zero(src, item)) { memset(out + i * item, 0, item); continue; }
        for (size_t c = 0; c < (size_t)width; c++) {
            fe m;
            if (!fq_load(&m, src + 32 * c)) { Py_CLEAR(result); range_error("encode_mont coordinate"); goto done; }
            fe_store_le(out + i * item + 32 * c, &m);
        }
    }
done:
    PyBuffer_Release(&in);
    return result;
}

/* g2_first_outside_subgroup(points, threads): index of the first packed point (standard form, pack width 4)
 * that is off the twist or outside G2, or -1 when all are in G2 (infinity is). */
static PyObject *py_g2_first_outside_subgroup(PyObject *self, PyObject *args) {
    Py_buffer in;
    int threads;
    if (!PyArg_ParseTuple(args, "y*i", &in, &threads)) return NULL;
    PyObject *result = NULL;
    size_t n = (size_t)in.len / 128, first = (size_t)-1;
    g2_aff *pts = (g2_aff *)malloc(sizeof(g2_aff) * (n ? n : 1));
    uint8_t *inf = (uint8_t *)malloc(n ? n : 1);
    if (in.len % 128) { PyErr_SetString(PyExc_ValueError, "g2 subgroup: expected 128-byte points"); goto done; }
    if (!pts || !inf) { PyErr_NoMemory(); goto done; }
    for (size_t i = 0; i < n; i++) {
        const uint8_t *src = (const uint8_t *)in.buf + 128 * i;
        inf[i] = (uint8_t)all_zero(src, 128);
        if (inf[i]) continue;
        if (!g2_load(&pts[i], src)) { range_error("g2 point coordinate"); goto done; }
        if (!g2_on_curve(&pts[i])) { first = i; n = i; break; }   /* only points before it need the test */
    }
    size_t bad;
    Py_BEGIN_ALLOW_THREADS bad = g2_first_outside_subgroup(pts, inf, n, threads);
    Py_END_ALLOW_THREADS
    if (bad != (size_t)-1) first = bad;
    result = PyLong_FromSsize_t(first == (size_t)-1 ? -1 : (Py_ssize_t)first);
done:
    free(pts);
    free(inf);
    PyBuffer_Release(&in);
    return result;
}

/* g1_scale(points, scalar, threads): k·P_i for every packed G1 point (infinity stays infinity), k < r. */
static PyObject *py_g1_scale(PyObject *self, PyObject *args) {
    Py_buffer pb, kb;
    int threads;
    if (!PyArg_ParseTuple(args, "y*y*i", &pb, &kb, &threads)) return NULL;
    PyObject *result = NULL;
    size_t n = (size_t)pb.len / 64, m = 0;
    g1_aff *pts = (g1_aff *)malloc(sizeof(g1_aff) * (n ? n : 1));
    g1_jac *jac = (g1_jac *)malloc(sizeof(g1_jac) * (n ? n : 1));
    g1_aff *aff = (g1_aff *)malloc(sizeof(g1_aff) * (n ? n : 1));
    uint8_t *inf = (uint8_t *)malloc(n ? n : 1), *out_inf = (uint8_t *)malloc(n ? n : 1);
    fe k;
    if (pb.len % 64 || kb.len != 32) { PyErr_SetString(PyExc_ValueError, "g1_scale: 64-byte points, one 32-byte scalar"); goto done; }
    if (!pts || !jac || !aff || !inf || !out_inf) { PyErr_NoMemory(); goto done; }
    if (!scalar_load(&k, (const uint8_t *)kb.buf)) { range_error("g1_scale scalar"); goto done; }
    for (size_t i = 0; i < n; i++) {
        const uint8_t *src = (const uint8_t *)pb.buf + 64 * i;
        inf[i] = (uint8_t)all_zero(src, 64);
        if (inf[i]) continue;
        if (!g1_load(&pts[m++], src)) { range_error("g1_scale point coordinate"); goto done; }
    }
    Py_BEGIN_ALLOW_THREADS g1_scale(jac, pts, m, &k, threads);
    Py_END_ALLOW_THREADS
    if (!g1_batch_to_aff(aff, out_inf, jac, m)) { PyErr_NoMemory(); goto done; }
    result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(64 * n));
    if (!result) goto done;
    for (size_t i = 0, j = 0; i < n; i++) {
        uint8_t *dst = (uint8_t *)PyBytes_AS_STRING(result) + 64 * i;
        if (inf[i] || out_inf[j]) memset(dst, 0, 64);
        else g1_store(dst, &aff[j]);
        if (!inf[i]) j++;
    }
done:
    free(pts);
    free(jac);
    free(aff);
    free(inf);
    free(out_inf);
    PyBuffer_Release(&pb);
    PyBuffer_Release(&kb);
    return result;
}

/* g2_gls_split(scalars): [(k1, k2)] with k = k1 + k2·6z^2, 0 <= k1 < 6z^2 (exposed for tests). */
static PyObject *py_g2_gls_split(PyObject *self, PyObject *args) {
    Py_buffer sb;
    if (!PyArg_ParseTuple(args, "y*", &sb)) return NULL;
    PyObject *list = NULL;
    size_t n = (size_t)sb.len / 32;
    if (sb.len % 32) {
        PyErr_SetString(PyExc_ValueError, "gls_split: expected 32-byte scalars");
        goto done;
    }
    list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        fe k, k1, k2;
        uint8_t b1[32], b2[32];
        if (!scalar_load(&k, (const uint8_t *)sb.buf + 32 * i)) { Py_CLEAR(list); range_error("gls scalar"); break; }
        gls_split(&k, &k1, &k2);
        fe_store_le(b1, &k1);
        fe_store_le(b2, &k2);
        PyObject *pair = Py_BuildValue("(NN)", int_from_le32(b1), int_from_le32(b2));
        if (!pair) { Py_CLEAR(list); break; }
        PyList_SET_ITEM(list, (Py_ssize_t)i, pair);
    }
done:
    PyBuffer_Release(&sb);
    return list;
}

/* msm(points, scalars, threads) and batch_mul(base, scalars, threads) for one group, generated per group. */
#define DEFINE_GROUP_BINDINGS(G, PB)                                                                           \
    static PyObject *py_##G##_msm(PyObject *self, PyObject *args) {                                            \
        Py_buffer pb, sb;                                                                                      \
        int threads, endo = 1;                                                                                 \
        if (!PyArg_ParseTuple(args, "y*y*i|p", &pb, &sb, &threads, &endo)) return NULL;                        \
        size_t n = (size_t)sb.len / 32;                                                                        \
        PyObject *result = NULL;                                                                               \
        G##_aff *pts = NULL;                                                                                   \
        fe *ks = NULL;                                                                                         \
        if (sb.len % 32 || (size_t)pb.len != n * PB) {                                                         \
            PyErr_SetString(PyExc_ValueError, "msm: buffers must hold one point per 32-byte scalar");          \
            goto done;                                                                                         \
        }                                                                                                      \
        pts = (G##_aff *)malloc(sizeof(G##_aff) * (n ? n : 1));                                               \
        ks = (fe *)malloc(sizeof(fe) * (n ? n : 1));                                                           \
        if (!pts || !ks) { PyErr_NoMemory(); goto done; }                                                      \
        size_t m = 0;                                                                                          \
        for (size_t i = 0; i < n; i++) {                                                                       \
            const uint8_t *pbytes = (const uint8_t *)pb.buf + i * PB;                                          \
            if (!scalar_load(&ks[m], (const uint8_t *)sb.buf + 32 * i)) { range_error("msm scalar"); goto done; } \
            if (all_zero(pbytes, PB)) continue;                                                                \
            if (!G##_load(&pts[m], pbytes)) { range_error("msm point coordinate"); goto done; }                \
            if (!fe_is_zero(&ks[m])) m++;                                                                      \
        }                                                                                                      \
        G##_jac acc;                                                                                           \
        int ok;                                                                                                \
        Py_BEGIN_ALLOW_THREADS ok = G##_msm_entry(&acc, pts, ks, m, threads, endo);                            \
        Py_END_ALLOW_THREADS if (!ok) { PyErr_NoMemory(); goto done; }                                         \
        G##_aff aff;                                                                                           \
        uint8_t inf;                                                                                           \
        if (!G##_batch_to_aff(&aff, &inf, &acc, 1)) { PyErr_NoMemory(); goto done; }                           \
        result = PyBytes_FromStringAndSize(NULL, PB);                                                          \
        if (!result) goto done;                                                                                \
        if (inf) memset(PyBytes_AS_STRING(result), 0, PB);                                                     \
        else G##_store((uint8_t *)PyBytes_AS_STRING(result), &aff);                                            \
    done:                                                                                                      \
        free(pts);                                                                                             \
        free(ks);                                                                                              \
        PyBuffer_Release(&pb);                                                                                 \
        PyBuffer_Release(&sb);                                                                                 \
        return result;                                                                                         \
    }                                                                                                          \
    static PyObject *py_##G##_batch_mul(PyObject *self, PyObject *args) {                                      \
        Py_buffer bb, sb;                                                                                      \
        int threads;                                                                                           \
        if (!PyArg_ParseTuple(args, "y*y*i", &bb, &sb, &threads)) return NULL;                                 \
        size_t n = (size_t)sb.len / 32;                                                                        \
        PyObject *result = NULL;                                                                               \
        fe *ks = NULL;                                                                                         \
        G##_aff *out = NULL;                                                                                   \
        uint8_t *inf = NULL;                                                                                   \
        G##_aff base;                                                                                          \
        if (sb.len % 32 || bb.len != PB || all_zero((const uint8_t *)bb.buf, PB)) {                            \
            PyErr_SetString(PyExc_ValueError, "batch_mul: expected one finite base point and 32-byte scalars"); \
            goto done;                                                                                         \
        }                                                                                                      \
        if (!G##_load(&base, (const uint8_t *)bb.buf)) { range_error("batch_mul base coordinate"); goto done; } \
        ks = (fe *)malloc(sizeof(fe) * (n ? n : 1));                                                           \
        out = (G##_aff *)malloc(sizeof(G##_aff) * (n ? n : 1));                                               \
        inf = (uint8_t *)malloc(n ? n : 1);                                                                    \
        if (!ks || !out || !inf) { PyErr_NoMemory(); goto done; }                                              \
        for (size_t i = 0; i < n; i++) {                                                                       \
            if (!scalar_load(&ks[i], (const uint8_t *)sb.buf + 32 * i)) { range_error("batch_mul scalar"); goto done; } \
        }                                                                                                      \
        int ok;                                                                                                \
        Py_BEGIN_ALLOW_THREADS ok = G##_batch_mul(out, inf, &base, ks, n, threads);                           \
        Py_END_ALLOW_THREADS if (!ok) { PyErr_NoMemory(); goto done; }                                         \
        result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * PB));                                        \
        if (!result) goto done;                                                                                \
        for (size_t i = 0; i < n; i++) {                                                                       \
            uint8_t *dst = (uint8_t *)PyBytes_AS_STRING(result) + i * PB;                                      \
            if (inf[i]) memset(dst, 0, PB);                                                                    \
            else G##_store(dst, &out[i]);                                                                      \
        }                                                                                                      \
    done:                                                                                                      \
        free(ks);                                                                                              \
        free(out);                                                                                             \
        free(inf);                                                                                             \
        PyBuffer_Release(&bb);                                                                                 \
        PyBuffer_Release(&sb);                                                                                 \
        return result;                                                                                         \
    }

/* lincomb(bases, term_out, term_base, scalars, n_out, threads): out[o] = sum k·bases[b] over the terms, terms as
 * u32 little-endian arrays sorted by output; terms on an infinity base add nothing. Outputs are packed points. */
#define DEFINE_LINCOMB_BINDING(G, PB)                                                                          \
    static PyObject *py_##G##_lincomb(PyObject *self, PyObject *args) {                                        \
        Py_buffer bb, ob, ib, sb;                                                                              \
        Py_ssize_t n_out;                                                                                      \
        int threads;                                                                                           \
        if (!PyArg_ParseTuple(args, "y*y*y*y*ni", &bb, &ob, &ib, &sb, &n_out, &threads)) return NULL;          \
        PyObject *result = NULL;                                                                               \
        size_t nb = (size_t)bb.len / PB, nt = (size_t)ob.len / 4, m = 0;                                       \
        G##_aff *bases = (G##_aff *)malloc(sizeof(G##_aff) * (nb ? nb : 1));                                  \
        uint8_t *binf = (uint8_t *)malloc(nb ? nb : 1), *oinf = NULL;                                          \
        uint32_t *to = (uint32_t *)malloc(4 * (nt ? nt : 1)), *tb = (uint32_t *)malloc(4 * (nt ? nt : 1));     \
        fe *ks = (fe *)malloc(sizeof(fe) * (nt ? nt : 1));                                                     \
        G##_jac *acc = NULL;                                                                                   \
        G##_aff *aff = NULL;                                                                                   \
        if (bb.len % PB || ob.len % 4 || ib.len != ob.len || (size_t)sb.len != 32 * nt || n_out < 0) {         \
            PyErr_SetString(PyExc_ValueError, "lincomb: one base index, output index and scalar per term");    \
            goto done;                                                                                         \
        }                                                                                                      \
        acc = (G##_jac *)malloc(sizeof(G##_jac) * (n_out ? (size_t)n_out : 1));                                \
        aff = (G##_aff *)malloc(sizeof(G##_aff) * (n_out ? (size_t)n_out : 1));                                \
        oinf = (uint8_t *)malloc(n_out ? (size_t)n_out : 1);                                                   \
        if (!bases || !binf || !to || !tb || !ks || !acc || !aff || !oinf) { PyErr_NoMemory(); goto done; }    \
        for (size_t i = 0; i < nb; i++) {                                                                      \
            const uint8_t *src = (const uint8_t *)bb.buf + i * PB;                                             \
            binf[i] = (uint8_t)all_zero(src, PB);                                                              \
            if (!binf[i] && !G##_load(&bases[i], src)) { range_error("lincomb base coordinate"); goto done; }  \
        }                                                                                                      \
        for (size_t t = 0; t < nt; t++) {                                                                      \
            uint32_t o, b;                                                                                     \
            memcpy(&o, (const uint8_t *)ob.buf + 4 * t, 4);                                                    \
            memcpy(&b, (const uint8_t *)ib.buf + 4 * t, 4);                                                    \
            if ((Py_ssize_t)o >= n_out || b >= nb || (m && o < to[m - 1])) {                                   \
                PyErr_SetString(PyExc_ValueError, "lincomb: term indices out of range or not sorted by output"); \
                goto done;                                                                                     \
            }                                                                                                  \
            if (!scalar_load(&ks[m], (const uint8_t *)sb.buf + 32 * t)) { range_error("lincomb scalar"); goto done; } \
            if (binf[b]) continue;                                                                             \
            to[m] = o;                                                                                         \
            tb[m] = b;                                                                                         \
            m++;                                                                                               \
        }                                                                                                      \
        Py_BEGIN_ALLOW_THREADS G##_lincomb(acc, (size_t)n_out, bases, to, tb, ks, m, threads);                 \
        Py_END_ALLOW_THREADS                                                                                   \
        if (!G##_batch_to_aff(aff, oinf, acc, (size_t)n_out)) { PyErr_NoMemory(); goto done; }                 \
        result = PyBytes_FromStringAndSize(NULL, n_out * PB);                                                  \
        if (!result) goto done;                                                                                \
        for (Py_ssize_t o = 0; o < n_out; o++) {                                                               \
            uint8_t *dst = (uint8_t *)PyBytes_AS_STRING(result) + (size_t)o * PB;                              \
            if (oinf[o]) memset(dst, 0, PB);                                                                   \
            else G##_store(dst, &aff[o]);                                                                      \
        }                                                                                                      \
    done:                                                                                                      \
        free(bases); free(binf); free(oinf); free(to); free(tb); free(ks); free(acc); free(aff);               \
        PyBuffer_Release(&bb); PyBuffer_Release(&ob); PyBuffer_Release(&ib); PyBuffer_Release(&sb);            \
        return result;                                                                                         \
    }

DEFINE_LINCOMB_BINDING(g1, 64)
DEFINE_LINCOMB_BINDING(g2, 128)

DEFINE_GROUP_BINDINGS(g1, 64)
DEFINE_GROUP_BINDINGS(g2, 128)

/* ---- Fr vectors ---- */

/* Load a buffer of 32-byte Fr elements into Montgomery form; NULL (with ValueError/MemoryError) on failure. */
static fe *fr_load_vec(const Py_buffer *b, size_t n) {
    fe *v = (fe *)malloc(sizeof(fe) * (n ? n : 1));
    if (!v) { PyErr_NoMemory(); return NULL; }
    for (size_t i = 0; i < n; i++) {
        if (!fr_load(&v[i], (const uint8_t *)b->buf + 32 * i)) {
            free(v);
            range_error("Fr vector element");
            return NULL;
        }
    }
    return v;
}

static PyObject *fr_store_vec(const fe *v, size_t n) {
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(32 * n));
    if (!out) return NULL;
    for (size_t i = 0; i < n; i++) fr_store((uint8_t *)PyBytes_AS_STRING(out) + 32 * i, &v[i]);
    return out;
}

static int fr_load_one(fe *r, const Py_buffer *b, const char *what) {
    if (b->len != 32 || !fr_load(r, (const uint8_t *)b->buf)) {
        range_error(what);
        return 0;
    }
    return 1;
}

/* fr_ntt(values, omega, pre, post, scale[, threads]): a_i *= pre^i; NTT with omega; a_i *= scale·post^i. */
static PyObject *py_fr_ntt(PyObject *self, PyObject *args) {
    Py_buffer vb, ob, preb, postb, scb;
    int threads = 1;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*|i", &vb, &ob, &preb, &postb, &scb, &threads)) return NULL;
    PyObject *result = NULL;
    fe *a = NULL, *owned_tw = NULL, omega, pre, post, scale;
    size_t n = (size_t)vb.len / 32;
    if (vb.len % 32 || n == 0 || (n & (n - 1))) {
        PyErr_SetString(PyExc_ValueError, "ntt: length must be a power of two");
        goto done;
    }
    if (!fr_load_one(&omega, &ob, "ntt omega") || !fr_load_one(&pre, &preb, "ntt pre")
        || !fr_load_one(&post, &postb, "ntt post") || !fr_load_one(&scale, &scb, "ntt scale"))
        goto done;
    fr_from_mont(&scale, &scale);   /* the store pass wants the plain scale */
    const fe *tw = ntt_twiddles_get(n, &omega, &owned_tw);
    a = (fe *)malloc(sizeof(fe) * n);
    result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(32 * n));
    if (!tw || !a || !result) {
        Py_CLEAR(result);
        if (!PyErr_Occurred()) PyErr_NoMemory();
        goto done;
    }
    int ok;
    uint8_t *out = (uint8_t *)PyBytes_AS_STRING(result);
    Py_BEGIN_ALLOW_THREADS
    ok = fr_ntt(out, (const uint8_t *)vb.buf, a, n, tw, &pre, &post, &scale, threads);
    Py_END_ALLOW_THREADS
    if (!ok) {
        Py_CLEAR(result);
        range_error("Fr vector element");
    }
done:
    free(a);
    free(owned_tw);
    PyBuffer_Release(&vb);
    PyBuffer_Release(&ob);
    PyBuffer_Release(&preb);
    PyBuffer_Release(&postb);
    PyBuffer_Release(&scb);
    return result;
}

/* mul_sub(a, b, c): a_i·b_i - c_i elementwise (c may be empty: then just the products). */
static PyObject *py_fr_mul_sub(PyObject *self, PyObject *args) {
    Py_buffer ab, bb, cb;
    if (!PyArg_ParseTuple(args, "y*y*y*", &ab, &bb, &cb)) return NULL;
    PyObject *result = NULL;
    fe *a = NULL, *b = NULL, *c = NULL;
    size_t n = (size_t)ab.len / 32;
    if (ab.len % 32 || bb.len != ab.len || (cb.len != ab.len && cb.len != 0)) {
        PyErr_SetString(PyExc_ValueError, "mul_sub: vectors must have equal lengths of 32-byte elements");
        goto done;
    }
    a = fr_load_vec(&ab, n);
    b = a ? fr_load_vec(&bb, n) : NULL;
    c = (b && cb.len) ? fr_load_vec(&cb, n) : NULL;
    if (!b || (cb.len && !c)) goto done;
    for (size_t i = 0; i < n; i++) {
        fr_mul(&a[i], &a[i], &b[i]);
        if (c) fr_sub(&a[i], &a[i], &c[i]);
    }
    result = fr_store_vec(a, n);
done:
    free(a);
    free(b);
    free(c);
    PyBuffer_Release(&ab);
    PyBuffer_Release(&bb);
    PyBuffer_Release(&cb);
    return result;
}

/* g1_glv_split(scalars): [(k1, k2)] with k = k1 + k2·lambda mod r, as signed ints (exposed for tests). */
static PyObject *py_g1_glv_split(PyObject *self, PyObject *args) {
    Py_buffer sb;
    if (!PyArg_ParseTuple(args, "y*", &sb)) return NULL;
    PyObject *list = NULL;
    size_t n = (size_t)sb.len / 32;
    if (sb.len % 32) {
        PyErr_SetString(PyExc_ValueError, "glv_split: expected 32-byte scalars");
        goto done;
    }
    list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        fe k, half[2];
        int neg[2];
        uint8_t b[32];
        if (!scalar_load(&k, (const uint8_t *)sb.buf + 32 * i)) { Py_CLEAR(list); range_error("glv scalar"); break; }
        glv_split(&k, &half[0], &neg[0], &half[1], &neg[1]);
        PyObject *v[2] = {NULL, NULL};
        for (int h = 0; h < 2; h++) {
            fe_store_le(b, &half[h]);
            PyObject *mag = int_from_le32(b);
            v[h] = (mag && neg[h]) ? PyNumber_Negative(mag) : mag;
            if (neg[h]) Py_XDECREF(mag);
        }
        PyObject *pair = (v[0] && v[1]) ? Py_BuildValue("(NN)", v[0], v[1]) : NULL;
        if (!pair) { Py_XDECREF(v[0]); Py_XDECREF(v[1]); Py_CLEAR(list); break; }
        PyList_SET_ITEM(list, (Py_ssize_t)i, pair);
    }
done:
    PyBuffer_Release(&sb);
    return list;
}

/* ---- pairing ---- */

static void fq12_store(uint8_t *b, const fe12 *f) {
    for (int j = 0; j < 2; j++)
        for (int k = 0; k < 3; k++) fq2_store(b + 64 * (3 * j + k), &f->c[j].c[k]);
}

static int fq12_load(fe12 *f, const uint8_t *b) {
    for (int j = 0; j < 2; j++)
        for (int k = 0; k < 3; k++)
            if (!fq2_load(&f->c[j].c[k], b + 64 * (3 * j + k))) return 0;
    return 1;
}

/* miller_loop(pairs): the product of the Miller-loop values of (G1 64 bytes || G2 128 bytes) records. */
static PyObject *py_miller_loop(PyObject *self, PyObject *args) {
    Py_buffer pb;
    if (!PyArg_ParseTuple(args, "y*", &pb)) return NULL;
    PyObject *result = NULL;
    size_t n = (size_t)pb.len / 192, m = 0;
    g1_aff *ps = (g1_aff *)malloc(sizeof(g1_aff) * (n ? n : 1));
    g2_aff *qs = (g2_aff *)malloc(sizeof(g2_aff) * (n ? n : 1));
    if (!ps || !qs) { PyErr_NoMemory(); goto done; }
    if (pb.len % 192) {
        PyErr_SetString(PyExc_ValueError, "miller_loop: expected 192-byte (G1, G2) records");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const uint8_t *rec = (const uint8_t *)pb.buf + 192 * i;
        if (all_zero(rec, 64) || all_zero(rec + 64, 128)) continue;   /* e(O, Q) = e(P, O) = 1 */
        if (!g1_load(&ps[m], rec) || !g2_load(&qs[m], rec + 64)) { range_error("pairing point coordinate"); goto done; }
        m++;
    }
    fe12 f;
    Py_BEGIN_ALLOW_THREADS miller_loop(&f, ps, qs, m);
    Py_END_ALLOW_THREADS
    result = PyBytes_FromStringAndSize(NULL, 384);
    if (result) fq12_store((uint8_t *)PyBytes_AS_STRING(result), &f);
done:
    free(ps);
    free(qs);
    PyBuffer_Release(&pb);
    return result;
}

/* final_exp(f, exponent): (conj(f)/f)^e with e as little-endian bytes (any length); f must be nonzero. */
static PyObject *py_final_exp(PyObject *self, PyObject *args) {
    Py_buffer fb, eb;
    if (!PyArg_ParseTuple(args, "y*y*", &fb, &eb)) return NULL;
    PyObject *result = NULL;
    size_t n_limbs = ((size_t)eb.len + 7) / 8;
    uint64_t *e = (uint64_t *)calloc(n_limbs ? n_limbs : 1, sizeof(uint64_t));
    fe12 f;
    if (!e) { PyErr_NoMemory(); goto done; }
    if (fb.len != 384 || !fq12_load(&f, (const uint8_t *)fb.buf)) { range_error("fq12 coefficient"); goto done; }
    for (Py_ssize_t i = 0; i < eb.len; i++) e[i / 8] |= (uint64_t)((const uint8_t *)eb.buf)[i] << (8 * (i % 8));
    Py_BEGIN_ALLOW_THREADS final_exp(&f, &f, e, n_limbs);
    Py_END_ALLOW_THREADS
    result = PyBytes_FromStringAndSize(NULL, 384);
    if (result) fq12_store((uint8_t *)PyBytes_AS_STRING(result), &f);
done:
    free(e);
    PyBuffer_Release(&fb);
    PyBuffer_Release(&eb);
    return result;
}

/* final_exp_frobenius(f): f^((q^12 - 1)/r · 2z(6z^2 + 3z + 1)), snarkjs's Gt value; f must be nonzero. */
static PyObject *py_final_exp_frobenius(PyObject *self, PyObject *args) {
    Py_buffer fb;
    if (!PyArg_ParseTuple(args, "y*", &fb)) return NULL;
    PyObject *result = NULL;
    fe12 f;
    if (fb.len != 384 || !fq12_load(&f, (const uint8_t *)fb.buf)) {
        range_error("fq12 coefficient");
    } else {
        Py_BEGIN_ALLOW_THREADS final_exp_frobenius(&f, &f);
        Py_END_ALLOW_THREADS
        result = PyBytes_FromStringAndSize(NULL, 384);
        if (result) fq12_store((uint8_t *)PyBytes_AS_STRING(result), &f);
    }
    PyBuffer_Release(&fb);
    return result;
}

static PyMethodDef methods[] = {
    {"pack", py_pack, METH_VARARGS, "pack(values, width) -> bytes of 32-byte little-endian ints"},
    {"unpack", py_unpack, METH_VARARGS, "unpack(buffer, width) -> list of ints / points"},
    {"g1_msm", py_g1_msm, METH_VARARGS, "g1_msm(points, scalars, threads[, endo]) -> 64-byte point"},
    {"g1_glv_split", py_g1_glv_split, METH_VARARGS, "g1_glv_split(scalars) -> [(k1, k2)], k = k1 + k2*lambda"},
    {"g2_msm", py_g2_msm, METH_VARARGS, "g2_msm(points, scalars, threads[, endo]) -> 128-byte point"},
    {"g1_batch_mul", py_g1_batch_mul, METH_VARARGS, "g1_batch_mul(base, scalars, threads) -> points"},
    {"g2_batch_mul", py_g2_batch_mul, METH_VARARGS, "g2_batch_mul(base, scalars, threads) -> points"},
    {"fr_ntt", py_fr_ntt, METH_VARARGS, "fr_ntt(values, omega, pre, post, scale[, threads]) -> values"},
    {"fr_mul_sub", py_fr_mul_sub, METH_VARARGS, "fr_mul_sub(a, b, c) -> a*b - c"},
    {"decode_points", py_decode_points, METH_VARARGS, "decode_points(big_endian, width) -> validated points"},
    {"repack_points", py_repack_points, METH_VARARGS, "repack_points(big_endian, width) -> validated pack() bytes"},
    {"decode_mont_points", py_decode_mont_points, METH_VARARGS,
     "decode_mont_points(montgomery_le, width, subgroup, threads) -> validated points"},
    {"repack_mont_points", py_repack_mont_points, METH_VARARGS,
     "repack_mont_points(montgomery_le, width, subgroup, threads) -> validated pack() bytes"},
    {"zkey_coefs_check", py_zkey_coefs_check, METH_VARARGS,
     "zkey_coefs_check(entries, n_vars, domain) -> index of the first invalid .zkey coefficient, or -1"},
    {"zkey_rows", py_zkey_rows, METH_VARARGS, "zkey_rows(entries, witness, domain) -> (a, b, c) packed QAP rows"},
    {"g2_first_outside_subgroup", py_g2_first_outside_subgroup, METH_VARARGS,
     "g2_first_outside_subgroup(points, threads) -> index of the first point not in G2, or -1"},
    {"g1_lincomb", py_g1_lincomb, METH_VARARGS, "g1_lincomb(bases, term_out, term_base, scalars, n_out, threads)"},
    {"g2_lincomb", py_g2_lincomb, METH_VARARGS, "g2_lincomb(bases, term_out, term_base, scalars, n_out, threads)"},
    {"encode_mont", py_encode_mont, METH_VARARGS, "encode_mont(points, width) -> .ptau/.zkey point bytes"},
    {"g1_scale", py_g1_scale, METH_VARARGS, "g1_scale(points, scalar, threads) -> k*P_i for every point"},
    {"g2_gls_split", py_g2_gls_split, METH_VARARGS, "g2_gls_split(scalars) -> [(k1, k2)], k = k1 + k2*6z^2"},
    {"miller_loop", py_miller_loop, METH_VARARGS, "miller_loop(pairs) -> Fq12 (384 bytes, tower order)"},
    {"final_exp", py_final_exp, METH_VARARGS, "final_exp(f, exponent) -> (conj(f)/f)^exponent"},
    {"final_exp_frobenius", py_final_exp_frobenius, METH_VARARGS,
     "final_exp_frobenius(f) -> f^((q^12 - 1)/r * 2z(6z^2 + 3z + 1)) (384 bytes)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_bn254", "BN254 native backend", -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__bn254(void) {
    fq_init();
    fr_init();
    pairing_init();
    curve_constants_init();
    glv_init();
    return PyModule_Create(&module);
}
