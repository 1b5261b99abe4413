/* The witness program's hot loop: products and copies of linear combinations over BN254's Fr.
 *
 * Layout (zkyield/dsl/program.py, docs/witness_program_format.md): slots are 32-byte little-endian
 * field elements in standard form; terms are (u32 slot, u32 constant index) pairs; steps are six u32s
 * (op, out, a_start, a_len, b_start, b_len). Constants arrive in Montgomery form (to_montgomery), so
 * mont_mul(value, k·2^256) = value·k stays in standard form and slots never change representation.
 * Hints run in Python: run() stops at the first hint step and returns its index. Every index is
 * checked here too (the loader checks them first): a bad one raises ValueError, never reads past a buffer.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "field.h"

enum { OP_MUL = 0, OP_COPY = 1, OP_HINT = 2 };

typedef struct { uint32_t slot, k; } term_t;
typedef struct { uint32_t op, out, a0, an, b0, bn; } step_t;

typedef struct {
    const fe *consts; size_t n_consts;
    const term_t *terms; size_t n_terms;
    uint8_t *slots; size_t n_slots;
} prog_t;

/* sum of value(slot) * constant over terms[start .. start+len); 0 on an index out of range. */
static int eval_lc(fe *out, const prog_t *p, uint32_t start, uint32_t len) {
    if ((uint64_t)start + len > p->n_terms) return 0;
    fe acc = {{0, 0, 0, 0}};
    for (uint32_t i = 0; i < len; i++) {
        const term_t t = p->terms[start + i];
        if (t.slot >= p->n_slots || t.k >= p->n_consts) return 0;
        fe v, prod;
        fe_load_le(&v, p->slots + 32 * (size_t)t.slot);
        if (fe_eq(&p->consts[t.k], &fr_ONE)) {
            fr_add(&acc, &acc, &v);
        } else {
            fr_mul(&prod, &v, &p->consts[t.k]);
            fr_add(&acc, &acc, &prod);
        }
    }
    *out = acc;
    return 1;
}

static int get_buffers(prog_t *p, Py_buffer *cb, Py_buffer *tb, Py_buffer *sb) {
    if (cb->len % 32 || tb->len % sizeof(term_t) || sb->len % 32) {
        PyErr_SetString(PyExc_ValueError, "witness runner: buffer sizes are not whole records");
        return 0;
    }
    p->consts = (const fe *)cb->buf; p->n_consts = (size_t)cb->len / 32;
    p->terms = (const term_t *)tb->buf; p->n_terms = (size_t)tb->len / sizeof(term_t);
    p->slots = (uint8_t *)sb->buf; p->n_slots = (size_t)sb->len / 32;
    return 1;
}

/* run(consts, terms, steps, slots, start, stop) -> index of the first hint step in [start, stop), or stop */
static PyObject *py_run(PyObject *self, PyObject *args) {
    Py_buffer cb, tb, stb, sb;
    Py_ssize_t start, stop;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*y*y*w*nn", &cb, &tb, &stb, &sb, &start, &stop)) return NULL;
    PyObject *result = NULL;
    prog_t p;
    if (!get_buffers(&p, &cb, &tb, &sb)) goto done;
    if (stb.len % sizeof(step_t)) {
        PyErr_SetString(PyExc_ValueError, "witness runner: steps buffer is not whole steps");
        goto done;
    }
    const step_t *steps = (const step_t *)stb.buf;
    Py_ssize_t n_steps = stb.len / (Py_ssize_t)sizeof(step_t);
    if (start < 0 || stop > n_steps || start > stop) {
        PyErr_SetString(PyExc_ValueError, "witness runner: step range out of bounds");
        goto done;
    }
    Py_ssize_t i = start;
    for (; i < stop; i++) {
        const step_t s = steps[i];
        fe a, b;
        if (s.op == OP_HINT) break;
        if (s.out >= p.n_slots || s.op > OP_COPY || !eval_lc(&a, &p, s.a0, s.an)) {
            PyErr_Format(PyExc_ValueError, "witness runner: step %zd has an index out of range", i);
            goto done;
        }
        if (s.op == OP_MUL) {
            if (!eval_lc(&b, &p, s.b0, s.bn)) {
                PyErr_Format(PyExc_ValueError, "witness runner: step %zd has an index out of range", i);
                goto done;
            }
            fr_mul(&a, &a, &b);     /* a·b·2^-256 */
            fr_mul(&a, &a, &fr_R2); /* a·b */
        }
        fe_store_le(p.slots + 32 * (size_t)s.out, &a);
    }
    result = PyLong_FromSsize_t(i);
done:
    PyBuffer_Release(&cb);
    PyBuffer_Release(&tb);
    PyBuffer_Release(&stb);
    PyBuffer_Release(&sb);
    return result;
}

/* eval_lc(consts, terms, slots, start, len) -> 32 little-endian bytes of the combination's value */
static PyObject *py_eval_lc(PyObject *self, PyObject *args) {
    Py_buffer cb, tb, sb;
    unsigned int start, len;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*y*y*II", &cb, &tb, &sb, &start, &len)) return NULL;
    PyObject *result = NULL;
    prog_t p;
    fe v;
    if (!get_buffers(&p, &cb, &tb, &sb)) goto done;
    if (!eval_lc(&v, &p, start, len)) {
        PyErr_SetString(PyExc_ValueError, "witness runner: linear combination out of range");
        goto done;
    }
    uint8_t out[32];
    fe_store_le(out, &v);
    result = PyBytes_FromStringAndSize((const char *)out, 32);
done:
    PyBuffer_Release(&cb);
    PyBuffer_Release(&tb);
    PyBuffer_Release(&sb);
    return result;
}

/* to_montgomery(values) -> the same canonical Fr values (32 bytes each) as k·2^256 mod r limbs */
static PyObject *py_to_montgomery(PyObject *self, PyObject *args) {
    Py_buffer vb;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*", &vb)) return NULL;
    PyObject *result = NULL;
    if (vb.len % 32) {
        PyErr_SetString(PyExc_ValueError, "to_montgomery: length is not a multiple of 32");
        goto done;
    }
    result = PyBytes_FromStringAndSize(NULL, vb.len);
    if (!result) goto done;
    uint8_t *out = (uint8_t *)PyBytes_AS_STRING(result);
    for (Py_ssize_t i = 0; i < vb.len; i += 32) {
        fe k;
        if (!fr_load(&k, (const uint8_t *)vb.buf + i)) {
            Py_CLEAR(result);
            PyErr_SetString(PyExc_ValueError, "to_montgomery: a value is not a canonical Fr element");
            goto done;
        }
        fe_store_le(out + i, &k);
    }
done:
    PyBuffer_Release(&vb);
    return result;
}

/* One side of a constraint in .r1cs layout (u32 count, then u32 wire + 32-byte coefficient each) times the
 * witness (Montgomery form, so mont_mul(w·2^256, k) = w·k in standard form). Returns bytes consumed, 0 on
 * a bad wire, coefficient or length. */
static size_t r1cs_side(fe *out, const uint8_t *p, size_t left, const fe *w, uint32_t n_wires) {
    if (left < 4) return 0;
    uint32_t n;
    memcpy(&n, p, 4);
    if ((uint64_t)n * 36 > left - 4) return 0;
    fe acc = {{0, 0, 0, 0}};
    const uint8_t *q = p + 4;
    for (uint32_t i = 0; i < n; i++, q += 36) {
        uint32_t wire;
        memcpy(&wire, q, 4);
        fe k, prod;
        fe_load_le(&k, q + 4);
        if (wire >= n_wires || fe_geq(&k, &fr_P)) return 0;
        fr_mul(&prod, &w[wire], &k);
        fr_add(&acc, &acc, &prod);
    }
    *out = acc;
    return 4 + (size_t)n * 36;
}

/* r1cs_rows(constraints_section, n_constraints, witness, n_public, domain) -> (a, b, c, first_unsatisfied)
 * The QAP rows <A_i,w>, <B_i,w>, <C_i,w> straight from a .r1cs constraints section (as
 * zkyield.groth16.qap.row_evaluations: constraint rows, then a_{m+j} = w_j for j <= n_public, zero
 * padding), each 32-byte little-endian standard form; first_unsatisfied is -1 when A·B = C on every row. */
static PyObject *py_r1cs_rows(PyObject *self, PyObject *args) {
    Py_buffer sec, wb;
    Py_ssize_t m, n_public, domain;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*ny*nn", &sec, &m, &wb, &n_public, &domain)) return NULL;
    PyObject *a = NULL, *b = NULL, *c = NULL, *result = NULL;
    fe *w = NULL;
    if (wb.len % 32 || wb.len / 32 > UINT32_MAX || m < 0 || n_public < 0 || domain < m + n_public + 1 ||
        n_public + 1 > wb.len / 32) {
        PyErr_SetString(PyExc_ValueError, "r1cs_rows: sizes do not fit (witness, constraints, domain)");
        goto done;
    }
    uint32_t n_wires = (uint32_t)(wb.len / 32);
    w = (fe *)PyMem_Malloc(sizeof(fe) * (n_wires ? n_wires : 1));
    if (!w) { PyErr_NoMemory(); goto done; }
    for (uint32_t i = 0; i < n_wires; i++) {
        if (!fr_load(&w[i], (const uint8_t *)wb.buf + 32 * (size_t)i)) {
            PyErr_SetString(PyExc_ValueError, "r1cs_rows: a witness value is not a canonical Fr element");
            goto done;
        }
    }
    a = PyBytes_FromStringAndSize(NULL, domain * 32);
    b = PyBytes_FromStringAndSize(NULL, domain * 32);
    c = PyBytes_FromStringAndSize(NULL, domain * 32);
    if (!a || !b || !c) goto done;
    uint8_t *pa = (uint8_t *)PyBytes_AS_STRING(a), *pb = (uint8_t *)PyBytes_AS_STRING(b),
            *pc = (uint8_t *)PyBytes_AS_STRING(c);
    memset(pa, 0, domain * 32); memset(pb, 0, domain * 32); memset(pc, 0, domain * 32);
    const uint8_t *p = (const uint8_t *)sec.buf;
    size_t left = (size_t)sec.len;
    Py_ssize_t bad = -1;
    for (Py_ssize_t i = 0; i < m; i++) {
        fe x[3];
        for (int side = 0; side < 3; side++) {
            size_t used = r1cs_side(&x[side], p, left, w, n_wires);
            if (!used) {
                PyErr_Format(PyExc_ValueError, "r1cs_rows: constraint %zd has a bad wire, coefficient or length", i);
                goto done;
            }
            p += used;
            left -= used;
        }
        fe ab;
        fr_mul(&ab, &x[0], &x[1]);
        fr_mul(&ab, &ab, &fr_R2);
        if (bad < 0 && !fe_eq(&ab, &x[2])) bad = i;
        fe_store_le(pa + 32 * i, &x[0]);
        fe_store_le(pb + 32 * i, &x[1]);
        fe_store_le(pc + 32 * i, &x[2]);
    }
    if (left) {
        PyErr_SetString(PyExc_ValueError, "r1cs_rows: trailing bytes after the last constraint");
        goto done;
    }
    memcpy(pa + 32 * m, wb.buf, 32 * (size_t)(n_public + 1));
    result = Py_BuildValue("OOOn", a, b, c, bad);
done:
    Py_XDECREF(a);
    Py_XDECREF(b);
    Py_XDECREF(c);
    PyMem_Free(w);
    PyBuffer_Release(&sec);
    PyBuffer_Release(&wb);
    return result;
}


/* -- encoding linear combinations (the .r1cs constraints section and the circuit digest) ----------
 *
 * encode_lcs(constraints, start, stop, n_wires, digest[, slot_map]) -> bytes, or None when a term is not a
 * wire in [0, n_wires) with a canonical int coefficient (the Python writers then raise their own error).
 * Each constraint has attributes a, b, c: dicts wire -> coefficient, written sorted by wire. With
 * slot_map (u32 per builder variable) each constraint is the builder's (a, b, c) tuple of dicts over
 * variables, and variable v is written as wire slot_map[v]: a compiled circuit's .r1cs and digest
 * without building its wire-numbered dicts.
 * digest = 0: .r1cs layout, per side u32 count then (u32 wire, 32-byte coefficient) per term.
 * digest = 1: R1CS.digest's layout, per side u64 count of non-zero terms then (u64 wire, 32 bytes).
 */
typedef struct { uint64_t wire; PyObject *coef; } lc_term;

static int term_cmp(const void *x, const void *y) {
    uint64_t a = ((const lc_term *)x)->wire, b = ((const lc_term *)y)->wire;
    return (a > b) - (a < b);
}

/* fixed: buf is a bytes object's storage sized in advance, never reallocated */
typedef struct { uint8_t *buf; size_t len, cap; int fixed; } growbuf;

/* room for extra bytes; 0 when out of memory (or a fixed buffer is full), with no exception set
 * (callable without the GIL) */
static int gb_grow(growbuf *g, size_t extra) {
    if (g->len + extra <= g->cap) return 1;
    if (g->fixed) return 0;
    size_t cap = g->cap ? g->cap : 1 << 16;
    while (cap < g->len + extra) cap *= 2;
    uint8_t *nb = PyMem_RawRealloc(g->buf, cap);
    if (!nb) return 0;
    g->buf = nb; g->cap = cap;
    return 1;
}

static int gb_reserve(growbuf *g, size_t extra) {
    if (gb_grow(g, extra)) return 1;
    PyErr_NoMemory();
    return 0;
}

/* A non-negative int below 2^256 into four limbs; 0 when it is negative or wider. */
static int long_to_fe(fe *x, PyObject *v) {
#if PY_VERSION_HEX < 0x030C0000 && PYLONG_BITS_IN_DIGIT == 30
    /* CPython 3.11's layout: Py_SIZE digits of 30 bits, the sign in Py_SIZE */
    Py_ssize_t nd = Py_SIZE(v);
    if (nd < 0 || nd > 9) return 0;
    const digit *d = ((PyLongObject *)v)->ob_digit;
    uint64_t l[5] = {0, 0, 0, 0, 0};
    for (Py_ssize_t i = 0; i < nd; i++) {
        unsigned bit = 30u * (unsigned)i, w = bit / 64, o = bit % 64;
        l[w] |= (uint64_t)d[i] << o;
        if (o > 34) l[w + 1] |= (uint64_t)d[i] >> (64 - o);
    }
    if (l[4]) return 0;
    x->l[0] = l[0]; x->l[1] = l[1]; x->l[2] = l[2]; x->l[3] = l[3];
    return 1;
#else
    uint8_t b[32];
    if (_PyLong_AsByteArray((PyLongObject *)v, b, 32, 1, 0) < 0) { PyErr_Clear(); return 0; }
    fe_load_le(x, b);
    return 1;
#endif
}

/* 1 written, 0 not encodable (no exception set), -1 error (exception set); with terms (the .r1cs
 * layout only), R1CS.digest's bytes of the same side are appended there too */
static int encode_one_lc(growbuf *g, PyObject *lc, uint64_t n_wires, int digest, const Py_buffer *map,
                         lc_term **tmp, size_t *tmp_cap, growbuf *terms) {
    if (!PyDict_CheckExact(lc)) return 0;
    Py_ssize_t n = PyDict_GET_SIZE(lc), pos = 0, i = 0;
    if ((size_t)n > *tmp_cap) {
        lc_term *nt = PyMem_Realloc(*tmp, sizeof(lc_term) * (size_t)n);
        if (!nt) { PyErr_NoMemory(); return -1; }
        *tmp = nt; *tmp_cap = (size_t)n;
    }
    PyObject *k, *v;
    int sorted = 1;
    while (PyDict_Next(lc, &pos, &k, &v)) {
        if (!PyLong_CheckExact(k) || !PyLong_CheckExact(v)) return 0;
        unsigned long long w = PyLong_AsUnsignedLongLong(k);
        if (w == (unsigned long long)-1 && PyErr_Occurred()) { PyErr_Clear(); return 0; }
        if (map) { /* builder variable -> wire; a variable without a wire is not encodable */
            if (w >= (unsigned long long)(map->len / 4)) return 0;
            w = ((const uint32_t *)map->buf)[w];
            if (w >= n_wires) return 0;
        }
        if (!digest && w >= n_wires) return 0;
        if (i && (*tmp)[i - 1].wire > w) sorted = 0;
        (*tmp)[i].wire = w; (*tmp)[i].coef = v; i++;
    }
    if (!sorted) qsort(*tmp, (size_t)n, sizeof(lc_term), term_cmp);
    size_t wsz = digest ? 8 : 4;
    if (!gb_reserve(g, wsz + (size_t)n * (wsz + 32))) return -1;
    if (terms && !gb_reserve(terms, 8 + (size_t)n * 40)) return -1;
    size_t count_at = g->len, terms_count_at = terms ? terms->len : 0;
    g->len += wsz;
    if (terms) terms->len += 8;
    uint64_t written = 0, nonzero = 0;
    for (Py_ssize_t j = 0; j < n; j++) {
        uint8_t *dst = g->buf + g->len + wsz;
        fe x;
        if (!long_to_fe(&x, (*tmp)[j].coef)) return 0;
        if (fe_geq(&x, &fr_P)) return 0;
        fe_store_le(dst, &x);
        if (digest && fe_is_zero(&x)) continue;
        uint64_t w = (*tmp)[j].wire;
        memcpy(g->buf + g->len, &w, wsz); /* little-endian host (x86-64, aarch64) */
        if (terms && !fe_is_zero(&x)) {
            memcpy(terms->buf + terms->len, &w, 8);
            memcpy(terms->buf + terms->len + 8, dst, 32);
            terms->len += 40;
            nonzero++;
        }
        g->len += wsz + 32;
        written++;
    }
    memcpy(g->buf + count_at, &written, wsz);
    if (terms) memcpy(terms->buf + terms_count_at, &nonzero, 8);
    return 1;
}

static PyObject *py_encode_lcs(PyObject *self, PyObject *args) {
    PyObject *cons;
    Py_ssize_t start, stop;
    unsigned long long n_wires;
    int digest;
    Py_buffer map = {0};
    int with_terms = 0;
    if (!PyArg_ParseTuple(args, "O!nnKp|y*p", &PyList_Type, &cons, &start, &stop, &n_wires, &digest, &map,
                          &with_terms))
        return NULL;
    const Py_buffer *mapping = map.buf ? &map : NULL;
    if (with_terms && (digest || !mapping)) {
        PyErr_SetString(PyExc_ValueError, "encode_lcs: digest terms come with .r1cs bytes through a slot map");
        if (mapping) PyBuffer_Release(&map);
        return NULL;
    }
    if (start < 0 || stop > PyList_GET_SIZE(cons) || start > stop) {
        PyErr_SetString(PyExc_ValueError, "encode_lcs: range out of the constraint list");
        if (mapping) PyBuffer_Release(&map);
        return NULL;
    }
    static PyObject *names[3];
    if (!names[0]) {
        names[0] = PyUnicode_InternFromString("a");
        names[1] = PyUnicode_InternFromString("b");
        names[2] = PyUnicode_InternFromString("c");
        if (!names[0] || !names[1] || !names[2]) {
            if (mapping) PyBuffer_Release(&map);
            return NULL;
        }
    }
    growbuf g = {NULL, 0, 0, 0}, terms = {NULL, 0, 0, 0};
    growbuf *want_terms = with_terms ? &terms : NULL;
    PyObject *terms_bytes = NULL;
    lc_term *tmp = NULL;
    size_t tmp_cap = 0;
    PyObject *result = NULL;
    if (mapping && !digest) {
        /* .r1cs bytes have a known size (per side a u32 count, per term a u32 wire and 32 bytes): written
         * straight into the bytes object returned, no buffer grown and copied */
        size_t size = 0, n_terms = 0;
        for (Py_ssize_t i = start; i < stop; i++) {
            PyObject *con = PyList_GET_ITEM(cons, i);
            if (!(PyTuple_CheckExact(con) && PyTuple_GET_SIZE(con) == 3)) { size = 0; break; }
            for (int s = 0; s < 3; s++) {
                PyObject *lc = PyTuple_GET_ITEM(con, s);
                size_t n = (size_t)(PyDict_CheckExact(lc) ? PyDict_GET_SIZE(lc) : 0);
                size += 4 + 36 * n;
                n_terms += n;
            }
        }
        if (size) {
            result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)size);
            /* the digest's side: a u64 count, a u64 wire and 32 bytes per non-zero term (shrunk if any is 0) */
            size_t terms_size = 24 * (size_t)(stop - start) + 40 * n_terms;
            terms_bytes = with_terms && result ? PyBytes_FromStringAndSize(NULL, (Py_ssize_t)terms_size) : NULL;
            if (!result || (with_terms && !terms_bytes)) {
                Py_XDECREF(result);
                PyBuffer_Release(&map);
                return NULL;
            }
            g.buf = (uint8_t *)PyBytes_AS_STRING(result);
            g.cap = size;
            g.fixed = 1;
            if (terms_bytes) terms = (growbuf){(uint8_t *)PyBytes_AS_STRING(terms_bytes), 0, terms_size, 1};
        }
    }
    /* The last RECENT sides encoded (held, so an address is never reused) and where their bytes are: a
     * Poseidon S-box x^5 names its 30-85 term input three times in a row (x*x, then x^4*x). */
    enum { RECENT = 4 };
    PyObject *recent[RECENT] = {NULL};
    size_t recent_at[RECENT], recent_len[RECENT], recent_terms_at[RECENT], recent_terms_len[RECENT];
    int next_recent = 0;
    int ok = 1;
    for (Py_ssize_t i = start; i < stop && ok == 1; i++) {
        PyObject *con = PyList_GET_ITEM(cons, i);
        if (mapping && !(PyTuple_CheckExact(con) && PyTuple_GET_SIZE(con) == 3)) { ok = 0; break; }
        for (int s = 0; s < 3 && ok == 1; s++) {
            /* Constraint objects (sides a, b, c), or with a slot map the builder's (a, b, c) tuples */
            PyObject *lc = mapping ? Py_NewRef(PyTuple_GET_ITEM(con, s)) : PyObject_GetAttr(con, names[s]);
            if (!lc) { PyErr_Clear(); ok = 0; break; }
            int hit = -1;
            for (int r = 0; r < RECENT; r++)
                if (recent[r] == lc) hit = r;
            if (hit >= 0) {
                if (gb_reserve(&g, recent_len[hit])
                    && (!want_terms || gb_reserve(&terms, recent_terms_len[hit]))) {
                    memcpy(g.buf + g.len, g.buf + recent_at[hit], recent_len[hit]);
                    g.len += recent_len[hit];
                    if (want_terms) {
                        memcpy(terms.buf + terms.len, terms.buf + recent_terms_at[hit], recent_terms_len[hit]);
                        terms.len += recent_terms_len[hit];
                    }
                } else {
                    ok = -1;
                }
                Py_DECREF(lc);
                continue;
            }
            size_t at = g.len, terms_at = terms.len;
            ok = encode_one_lc(&g, lc, n_wires, digest, mapping, &tmp, &tmp_cap, want_terms);
            if (ok == 1 && PyDict_GET_SIZE(lc) > 1) {
                Py_XSETREF(recent[next_recent], lc);  /* the cache takes our reference */
                recent_at[next_recent] = at;
                recent_len[next_recent] = g.len - at;
                recent_terms_at[next_recent] = terms_at;
                recent_terms_len[next_recent] = terms.len - terms_at;
                next_recent = (next_recent + 1) % RECENT;
            } else {
                Py_DECREF(lc);
            }
        }
    }
    for (int r = 0; r < RECENT; r++) Py_XDECREF(recent[r]);
    if (g.fixed) {
        if (ok != 1 || g.len != g.cap) Py_CLEAR(result);  /* a side not a dict: refused below */
        if (ok == 1 && g.len != g.cap) ok = 0;
    } else {
        if (ok == 1) result = PyBytes_FromStringAndSize((const char *)g.buf, (Py_ssize_t)g.len);
        PyMem_RawFree(g.buf);
    }
    if (ok == 1 && want_terms && result) {
        if (!terms.fixed) {
            terms_bytes = PyBytes_FromStringAndSize((const char *)terms.buf, (Py_ssize_t)terms.len);
        } else if (terms.len != terms.cap && _PyBytes_Resize(&terms_bytes, (Py_ssize_t)terms.len) < 0) {
            terms_bytes = NULL;  /* freed by _PyBytes_Resize */
        }
        Py_SETREF(result, terms_bytes ? PyTuple_Pack(2, result, terms_bytes) : NULL);
    }
    Py_XDECREF(terms_bytes);
    if (!terms.fixed) PyMem_RawFree(terms.buf);
    if (ok == 0) result = Py_NewRef(Py_None);
    PyMem_Free(tmp);
    if (mapping) PyBuffer_Release(&map);
    return result;
}

/* r1cs_digest_terms(constraints_section, n_constraints, n_wires, sink) -> bool
 * R1CS.digest's term bytes (per side: u64 count of non-zero terms, then u64 wire and the 32-byte
 * coefficient of each) straight from a .r1cs constraints section, passed to sink(bytes) about 1 MiB at a
 * time. False (sink's bytes then meaningless) unless every side lists its wires strictly increasing, each
 * below n_wires, with canonical coefficients, and the section ends with the last constraint: the caller
 * then parses the file in Python, which sorts the terms or names what is wrong. */
static PyObject *py_r1cs_digest_terms(PyObject *self, PyObject *args) {
    Py_buffer sec;
    Py_ssize_t m;
    unsigned long long n_wires;
    PyObject *sink;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*nKO", &sec, &m, &n_wires, &sink)) return NULL;
    growbuf g = {NULL, 0, 0, 0};
    const uint8_t *p = (const uint8_t *)sec.buf;
    size_t left = (size_t)sec.len;
    int ok = m >= 0, oom = 0;
    PyObject *result = NULL;
    Py_ssize_t i = 0;
    while (i < m && ok) {
        /* up to ~1 MiB of digest bytes, parsed without the GIL (only sec and g are touched) */
        Py_BEGIN_ALLOW_THREADS
        for (; i < m && ok && !oom && g.len < (1u << 20); i++) {
            for (int side = 0; side < 3 && ok; side++) {
                uint32_t n;
                if (left < 4) { ok = 0; break; }
                memcpy(&n, p, 4);
                p += 4; left -= 4;
                if ((uint64_t)n * 36 > left) { ok = 0; break; }
                if (!gb_grow(&g, 8 + (size_t)n * 40)) { oom = 1; break; }
                size_t count_at = g.len;
                g.len += 8;
                uint64_t written = 0, prev = 0;
                for (uint32_t t = 0; t < n; t++, p += 36) {
                    uint32_t wire;
                    fe k;
                    memcpy(&wire, p, 4);
                    fe_load_le(&k, p + 4);
                    if (wire >= n_wires || (t && wire <= prev) || fe_geq(&k, &fr_P)) { ok = 0; break; }
                    prev = wire;
                    if (fe_is_zero(&k)) continue;
                    uint64_t w64 = wire;
                    memcpy(g.buf + g.len, &w64, 8); /* little-endian host (x86-64, aarch64) */
                    memcpy(g.buf + g.len + 8, p + 4, 32);
                    g.len += 40;
                    written++;
                }
                left -= (size_t)n * 36;
                memcpy(g.buf + count_at, &written, 8);
            }
        }
        Py_END_ALLOW_THREADS
        if (oom) { PyErr_NoMemory(); goto done; }
        if (ok && g.len) {
            PyObject *chunk = PyBytes_FromStringAndSize((const char *)g.buf, (Py_ssize_t)g.len);
            if (!chunk) goto done;
            PyObject *r = PyObject_CallOneArg(sink, chunk);
            Py_DECREF(chunk);
            if (!r) goto done;
            Py_DECREF(r);
            g.len = 0;
        }
    }
    result = Py_NewRef(ok && !left ? Py_True : Py_False);
done:
    PyMem_RawFree(g.buf);
    PyBuffer_Release(&sec);
    return result;
}

/* -- freezing a program (zkyield/dsl/compiled.py): builder variables into slots -------------------- */

static int slot_of(const Py_buffer *map, PyObject *var, uint32_t *out) {
    Py_ssize_t v = PyLong_AsSsize_t(var);
    if (v == -1 && PyErr_Occurred()) return 0;
    if (v < 0 || (size_t)v >= (size_t)map->len / 4) {
        PyErr_Format(PyExc_ValueError, "variable %zd has no slot", v);
        return 0;
    }
    *out = ((const uint32_t *)map->buf)[v];
    return 1;
}

/* remap(lc, slot_of_var) -> {slot_of_var[v]: k for v, k in lc.items()} (slot_of_var: u32 buffer) */
static PyObject *py_remap(PyObject *self, PyObject *args) {
    PyObject *lc;
    Py_buffer map;
    if (!PyArg_ParseTuple(args, "O!y*", &PyDict_Type, &lc, &map)) return NULL;
    PyObject *out = PyDict_New();
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (out && PyDict_Next(lc, &pos, &k, &v)) {
        uint32_t slot;
        PyObject *key = slot_of(&map, k, &slot) ? PyLong_FromUnsignedLong(slot) : NULL;
        if (!key || PyDict_SetItem(out, key, v) < 0) Py_CLEAR(out);
        Py_XDECREF(key);
    }
    PyBuffer_Release(&map);
    return out;
}

/* The constant indices of coefficient objects seen lately, by address (a held reference keeps an
 * address from being reused): most coefficients are shared ints (a recorded block's, 1, r - 1), so
 * their index is found without hashing a 254-bit int. Lives for one pool_steps call. */
enum { COEF_CACHE = 1024 };
typedef struct { PyObject *key[COEF_CACHE]; uint32_t index[COEF_CACHE]; } coef_cache;

static void coef_cache_clear(coef_cache *cache) {
    for (int i = 0; i < COEF_CACHE; i++) Py_CLEAR(cache->key[i]);
}

/* Append lc's (slot, constant index) u32 pairs to the bytearray flat; a coefficient not yet in index
 * (value -> index) gets one from new_constant(k). 1 on success, 0 with an exception set (flat is then
 * cut back to where it was). cache may be NULL. */
static int pool_one(PyObject *lc, const Py_buffer *map, PyObject *index, PyObject *new_constant,
                    PyObject *flat, coef_cache *cache) {
    Py_ssize_t n = PyDict_GET_SIZE(lc), at = PyByteArray_GET_SIZE(flat);
    if (PyByteArray_Resize(flat, at + 8 * n) < 0) return 0;
    Py_ssize_t pos = 0, i = 0;
    PyObject *k, *v;
    while (PyDict_Next(lc, &pos, &k, &v)) {
        uint32_t pair[2];
        if (!slot_of(map, k, &pair[0])) goto fail;
        size_t at_cache = ((uintptr_t)v >> 4) % COEF_CACHE;
        if (cache && cache->key[at_cache] == v) {
            pair[1] = cache->index[at_cache];
            memcpy(PyByteArray_AS_STRING(flat) + at + 8 * i, pair, 8);
            i++;
            continue;
        }
        PyObject *ix = PyDict_GetItemWithError(index, v); /* borrowed */
        PyObject *made = NULL;
        if (!ix) {
            if (PyErr_Occurred()) goto fail;
            ix = made = PyObject_CallOneArg(new_constant, v);
            if (!made) goto fail;
        }
        unsigned long c = PyLong_AsUnsignedLong(ix);
        Py_XDECREF(made);
        if (c == (unsigned long)-1 && PyErr_Occurred()) goto fail;
        if (c > UINT32_MAX) { PyErr_SetString(PyExc_ValueError, "constant index exceeds u32"); goto fail; }
        pair[1] = (uint32_t)c;
        if (cache) {
            Py_XSETREF(cache->key[at_cache], Py_NewRef(v));
            cache->index[at_cache] = pair[1];
        }
        if (PyByteArray_GET_SIZE(flat) != at + 8 * n) {
            PyErr_SetString(PyExc_RuntimeError, "pool: the term buffer changed size during the call");
            goto fail;
        }
        memcpy(PyByteArray_AS_STRING(flat) + at + 8 * i, pair, 8);
        i++;
    }
    return 1;
fail:
    PyByteArray_Resize(flat, at);
    return 0;
}

/* pool_lc(lc, slot_of_var, index, new_constant, flat) -> len(lc): one combination into the term pool. */
static PyObject *py_pool_lc(PyObject *self, PyObject *args) {
    PyObject *lc, *index, *new_constant, *flat;
    Py_buffer map;
    if (!PyArg_ParseTuple(args, "O!y*O!OO!", &PyDict_Type, &lc, &map, &PyDict_Type, &index, &new_constant,
                          &PyByteArray_Type, &flat))
        return NULL;
    PyObject *result = pool_one(lc, &map, index, new_constant, flat, NULL) ? PyLong_FromSsize_t(PyDict_GET_SIZE(lc)) : NULL;
    PyBuffer_Release(&map);
    return result;
}

/* pool_steps(steps, start, slot_of_var, index, new_constant, flat, rows, ranges) -> stop
 * Freeze the builder's product and copy steps from steps[start] on: (OP_MUL, var, a, b) and
 * (OP_COPY, var, a) become six u32 program rows appended to the bytearray rows, their combinations
 * pooled as pool_lc does, except that a combination of two or more terms already pooled (the same
 * object: ranges maps id(lc) -> its first term) reuses its range. Stops at the first other step (a hint,
 * left to Python) or the end; returns its index. */
static PyObject *py_pool_steps(PyObject *self, PyObject *args) {
    PyObject *steps, *index, *new_constant, *flat, *rows, *ranges;
    Py_ssize_t start;
    Py_buffer map;
    (void)self;
    if (!PyArg_ParseTuple(args, "O!ny*O!OO!O!O!", &PyTuple_Type, &steps, &start, &map, &PyDict_Type, &index,
                          &new_constant, &PyByteArray_Type, &flat, &PyByteArray_Type, &rows, &PyDict_Type, &ranges))
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(steps), i = start < 0 ? 0 : start;
    PyObject *result = NULL;
    coef_cache *cache = PyMem_Calloc(1, sizeof(coef_cache));
    if (!cache) {
        PyBuffer_Release(&map);
        return PyErr_NoMemory();
    }
    for (; i < n; i++) {
        PyObject *step = PyTuple_GET_ITEM(steps, i);
        if (!PyTuple_Check(step) || PyTuple_GET_SIZE(step) < 3) break;
        long op = PyLong_AsLong(PyTuple_GET_ITEM(step, 0));
        if (op == -1 && PyErr_Occurred()) goto done;
        Py_ssize_t sides = op == 0 ? 2 : op == 1 ? 1 : 0; /* OP_MUL, OP_COPY (zkyield/dsl/program.py) */
        if (!sides || PyTuple_GET_SIZE(step) != 2 + sides) break;
        uint32_t row[6] = {(uint32_t)op, 0, 0, 0, 0, 0};
        if (!slot_of(&map, PyTuple_GET_ITEM(step, 1), &row[1])) goto done;
        for (Py_ssize_t s = 0; s < sides; s++) {
            PyObject *lc = PyTuple_GET_ITEM(step, 2 + s);
            if (!PyDict_Check(lc)) { PyErr_SetString(PyExc_TypeError, "pool_steps: a side is not a dict"); goto done; }
            Py_ssize_t first = PyByteArray_GET_SIZE(flat) / 8;
            PyObject *id = NULL;
            if (PyDict_GET_SIZE(lc) > 1) {
                id = PyLong_FromVoidPtr(lc);
                PyObject *seen = id ? PyDict_GetItemWithError(ranges, id) : NULL; /* borrowed */
                if (!id || (!seen && PyErr_Occurred())) { Py_XDECREF(id); goto done; }
                if (seen) {
                    Py_DECREF(id);
                    id = NULL;
                    first = PyLong_AsSsize_t(seen);
                    if (first < 0 || first > UINT32_MAX) {
                        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "pool_steps: a bad range start");
                        goto done;
                    }
                    row[2 + 2 * s] = (uint32_t)first;
                    row[3 + 2 * s] = (uint32_t)PyDict_GET_SIZE(lc);
                    continue;
                }
            }
            if (first > UINT32_MAX || !pool_one(lc, &map, index, new_constant, flat, cache)) {
                if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "term pool exceeds u32");
                Py_XDECREF(id);
                goto done;
            }
            if (id) {
                PyObject *at = PyLong_FromSsize_t(first);
                int bad = !at || PyDict_SetItem(ranges, id, at) < 0;
                Py_XDECREF(at);
                Py_DECREF(id);
                if (bad) goto done;
            }
            row[2 + 2 * s] = (uint32_t)first;
            row[3 + 2 * s] = (uint32_t)PyDict_GET_SIZE(lc);
        }
        Py_ssize_t at = PyByteArray_GET_SIZE(rows);
        if (PyByteArray_Resize(rows, at + 24) < 0) goto done;
        memcpy(PyByteArray_AS_STRING(rows) + at, row, 24);
    }
    result = PyLong_FromSsize_t(i);
done:
    coef_cache_clear(cache);
    PyMem_Free(cache);
    PyBuffer_Release(&map);
    return result;
}

/* out[w] = (out.get(w, 0) + k * c) % modulus, dropping a zero (zkyield.dsl.value.lc_axpy for one term) */
static int axpy_term(PyObject *out, PyObject *w, PyObject *k, PyObject *c, PyObject *modulus) {
    PyObject *prod = PyNumber_Multiply(k, c);
    if (!prod) return 0;
    PyObject *cur = PyDict_GetItemWithError(out, w); /* borrowed */
    if (!cur && PyErr_Occurred()) { Py_DECREF(prod); return 0; }
    PyObject *sum = cur ? PyNumber_Add(cur, prod) : Py_NewRef(prod);
    Py_DECREF(prod);
    if (!sum) return 0;
    PyObject *v = PyNumber_Remainder(sum, modulus);
    Py_DECREF(sum);
    if (!v) return 0;
    int truth = PyObject_IsTrue(v), ok;
    if (truth < 0) ok = -1;
    else if (truth) ok = PyDict_SetItem(out, w, v);
    else ok = cur ? PyDict_DelItem(out, w) : 0;
    Py_DECREF(v);
    return ok == 0;
}

/* compose(mixed, off, first, inputs, modulus) -> dict: a replayed block's combination that names its inputs
 * (zkyield.dsl.circuit._stamp's mixed branch, its reference): for each (var, coef) of mixed in order, add
 * coef times {0: 1} for var 0, inputs[var - 1] for an input (var < first), {var + off: 1} for an own wire. */
static PyObject *py_compose(PyObject *self, PyObject *args) {
    PyObject *mixed, *inputs, *modulus;
    long long off, first;
    (void)self;
    if (!PyArg_ParseTuple(args, "O!LLO!O", &PyDict_Type, &mixed, &off, &first, &PyList_Type, &inputs, &modulus))
        return NULL;
    PyObject *out = PyDict_New(), *one = PyLong_FromLong(1), *zero = PyLong_FromLong(0);
    if (!out || !one || !zero) goto fail;
    Py_ssize_t pos = 0;
    PyObject *var, *coef;
    while (PyDict_Next(mixed, &pos, &var, &coef)) {
        long long v = PyLong_AsLongLong(var);
        if (v == -1 && PyErr_Occurred()) goto fail;
        if (v == 0) {
            if (!axpy_term(out, zero, coef, one, modulus)) goto fail;
        } else if (v < first) {
            if (v - 1 >= PyList_GET_SIZE(inputs)) { PyErr_SetString(PyExc_IndexError, "compose: no such input"); goto fail; }
            PyObject *term = PyList_GET_ITEM(inputs, v - 1);
            if (!PyDict_Check(term)) { PyErr_SetString(PyExc_TypeError, "compose: an input is not a dict"); goto fail; }
            Py_ssize_t at = 0;
            PyObject *w, *c;
            Py_INCREF(term);  /* held while its items are read: axpy_term runs Python arithmetic */
            while (PyDict_Next(term, &at, &w, &c)) {
                if (!axpy_term(out, w, coef, c, modulus)) { Py_DECREF(term); goto fail; }
            }
            Py_DECREF(term);
        } else {
            PyObject *w = PyLong_FromLongLong(v + off);
            int ok = w && axpy_term(out, w, coef, one, modulus);
            Py_XDECREF(w);
            if (!ok) goto fail;
        }
    }
    Py_DECREF(one);
    Py_DECREF(zero);
    return out;
fail:
    Py_XDECREF(out);
    Py_XDECREF(one);
    Py_XDECREF(zero);
    return NULL;
}

/* stamp(keys, spans, coefs, consts, off) -> list of dicts (zkyield/dsl/block.py: a block's replay)
 * Combination i is {keys[j] + off: coefs[j] for j in spans[i]}, then {0: consts[i]} unless consts[i]
 * is None; keys are u32, spans (start, count) u32 pairs, coefs and consts tuples of shared ints. */
static PyObject *py_stamp(PyObject *self, PyObject *args) {
    Py_buffer keys, spans;
    PyObject *coefs, *consts;
    long long off;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*y*O!O!L", &keys, &spans, &PyTuple_Type, &coefs, &PyTuple_Type, &consts, &off))
        return NULL;
    const uint32_t *k = (const uint32_t *)keys.buf, *sp = (const uint32_t *)spans.buf;
    Py_ssize_t n = spans.len / 8, n_keys = keys.len / 4;
    PyObject *out = NULL, *zero = PyLong_FromLong(0), **cache = NULL;
    size_t n_cache = 0;
    if (!zero) goto done;
    if (PyTuple_GET_SIZE(consts) != n || PyTuple_GET_SIZE(coefs) != n_keys) {
        PyErr_SetString(PyExc_ValueError, "stamp: spans, coefficients and constants disagree");
        goto done;
    }
    /* one int per wire, shared by every combination naming it (a Poseidon wire is named ~30 times) */
    uint32_t lo = UINT32_MAX, hi = 0;
    for (Py_ssize_t j = 0; j < n_keys; j++) {
        if (k[j] < lo) lo = k[j];
        if (k[j] > hi) hi = k[j];
    }
    n_cache = n_keys ? (size_t)(hi - lo) + 1 : 0;
    cache = PyMem_Calloc(n_cache ? n_cache : 1, sizeof(PyObject *));
    if (!cache) { PyErr_NoMemory(); goto done; }
    out = PyList_New(n);
    for (Py_ssize_t i = 0; out && i < n; i++) {
        uint32_t first = sp[2 * i], count = sp[2 * i + 1];
        if ((Py_ssize_t)first + count > n_keys) {
            PyErr_SetString(PyExc_ValueError, "stamp: a span runs past the keys");
            Py_CLEAR(out);
            break;
        }
        PyObject *d = _PyDict_NewPresized(count + 1);
        for (uint32_t j = first; d && j < first + count; j++) {
            PyObject **key = &cache[k[j] - lo];
            if (!*key) *key = PyLong_FromLongLong((long long)k[j] + off);
            if (!*key || PyDict_SetItem(d, *key, PyTuple_GET_ITEM(coefs, j)) < 0) Py_CLEAR(d);
        }
        PyObject *c = PyTuple_GET_ITEM(consts, i);
        if (d && c != Py_None && PyDict_SetItem(d, zero, c) < 0) Py_CLEAR(d);
        if (!d) { Py_CLEAR(out); break; }
        PyList_SET_ITEM(out, i, d);
    }
done:
    for (size_t j = 0; cache && j < n_cache; j++) Py_XDECREF(cache[j]);
    PyMem_Free(cache);
    Py_XDECREF(zero);
    PyBuffer_Release(&keys);
    PyBuffer_Release(&spans);
    return out;
}

/* -- linear simplification (zkyield/dsl/simplify.py) ---------------------------------------------- */

/* 1 when lc is a constant: empty, or only wire 0 */
static int lc_is_constant(PyObject *lc) {
    Py_ssize_t n = PyDict_GET_SIZE(lc);
    if (n == 0) return 1;
    if (n > 1) return 0;
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    PyDict_Next(lc, &pos, &k, &v);
    return PyLong_CheckExact(k) && PyLong_AsLong(k) == 0;
}

/* scan_constraints(constraints, n_vars) -> (linear, counts)
 * linear: indices of the (a, b, c) triples whose a or b side is a constant; counts: u32 per variable,
 * how many sides of all constraints name it (simplify's occurrence counts, keys only). */
static PyObject *py_scan_constraints(PyObject *self, PyObject *args) {
    PyObject *cons;
    Py_ssize_t n_vars;
    (void)self;
    if (!PyArg_ParseTuple(args, "O!n", &PyTuple_Type, &cons, &n_vars)) return NULL;
    if (n_vars < 0) { PyErr_SetString(PyExc_ValueError, "scan_constraints: n_vars < 0"); return NULL; }
    PyObject *counts = PyByteArray_FromStringAndSize(NULL, 4 * n_vars), *linear = PyList_New(0);
    if (!counts || !linear) goto fail;
    uint32_t *c = (uint32_t *)PyByteArray_AS_STRING(counts);
    memset(c, 0, 4 * (size_t)n_vars);
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(cons); i++) {
        PyObject *con = PyTuple_GET_ITEM(cons, i);
        if (!PyTuple_CheckExact(con) || PyTuple_GET_SIZE(con) != 3) {
            PyErr_SetString(PyExc_TypeError, "scan_constraints: a constraint is not an (a, b, c) tuple");
            goto fail;
        }
        for (int s = 0; s < 3; s++) {
            PyObject *lc = PyTuple_GET_ITEM(con, s), *k, *v;
            if (!PyDict_Check(lc)) { PyErr_SetString(PyExc_TypeError, "scan_constraints: a side is not a dict"); goto fail; }
            Py_ssize_t pos = 0;
            while (PyDict_Next(lc, &pos, &k, &v)) {
                Py_ssize_t w = PyLong_AsSsize_t(k);
                if (w == -1 && PyErr_Occurred()) goto fail;
                if (w < 0 || w >= n_vars) { PyErr_Format(PyExc_ValueError, "scan_constraints: variable %zd", w); goto fail; }
                c[w]++;
            }
        }
        if (lc_is_constant(PyTuple_GET_ITEM(con, 0)) || lc_is_constant(PyTuple_GET_ITEM(con, 1))) {
            PyObject *ix = PyLong_FromSsize_t(i);
            if (!ix || PyList_Append(linear, ix) < 0) { Py_XDECREF(ix); goto fail; }
            Py_DECREF(ix);
        }
    }
    PyObject *out = PyTuple_Pack(2, linear, counts);
    Py_DECREF(linear);
    Py_DECREF(counts);
    return out;
fail:
    Py_XDECREF(linear);
    Py_XDECREF(counts);
    return NULL;
}

/* touching(constraints, indices, removed, n_vars) -> positions j (into indices) of the constraints that
 * name a variable of removed (a dict keyed by variables below n_vars). The removed variables are marked
 * in a byte map, and a side that is the same object as the one before it is not read twice. */
static PyObject *py_touching(PyObject *self, PyObject *args) {
    PyObject *cons, *indices, *removed;
    Py_ssize_t n_vars;
    (void)self;
    if (!PyArg_ParseTuple(args, "O!O!O!n", &PyTuple_Type, &cons, &PyList_Type, &indices, &PyDict_Type, &removed,
                          &n_vars))
        return NULL;
    if (n_vars < 0) {
        PyErr_SetString(PyExc_ValueError, "touching: n_vars must be >= 0");
        return NULL;
    }
    uint8_t *mark = PyMem_Calloc((size_t)n_vars + 1, 1);
    if (!mark) return PyErr_NoMemory();
    PyObject *k, *v, *out = NULL;
    Py_ssize_t pos = 0;
    while (PyDict_Next(removed, &pos, &k, &v)) {
        Py_ssize_t var = PyLong_AsSsize_t(k);
        if (var < 0 || var >= n_vars) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "touching: a removed variable is out of range");
            goto done;
        }
        mark[var] = 1;
    }
    out = PyList_New(0);
    for (Py_ssize_t j = 0; out && j < PyList_GET_SIZE(indices); j++) {
        Py_ssize_t i = PyLong_AsSsize_t(PyList_GET_ITEM(indices, j));
        if (i < 0 || i >= PyTuple_GET_SIZE(cons)) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_IndexError, "touching: index out of range");
            Py_CLEAR(out);
            break;
        }
        PyObject *con = PyTuple_GET_ITEM(cons, i);
        if (!PyTuple_CheckExact(con) || PyTuple_GET_SIZE(con) != 3) {
            PyErr_SetString(PyExc_TypeError, "touching: a constraint is not an (a, b, c) tuple");
            Py_CLEAR(out);
            break;
        }
        int hit = 0;
        for (int side = 0; side < 3 && !hit && out; side++) {
            PyObject *lc = PyTuple_GET_ITEM(con, side);
            if (side && lc == PyTuple_GET_ITEM(con, side - 1)) continue;
            if (!PyDict_Check(lc)) { PyErr_SetString(PyExc_TypeError, "touching: a side is not a dict"); Py_CLEAR(out); break; }
            Py_ssize_t at = 0;
            while (PyDict_Next(lc, &at, &k, &v)) {
                Py_ssize_t var = PyLong_AsSsize_t(k);
                if (var == -1 && PyErr_Occurred()) { Py_CLEAR(out); break; }
                if (var >= 0 && var < n_vars && mark[var]) { hit = 1; break; }
            }
        }
        if (out && hit) {
            PyObject *ix = PyLong_FromSsize_t(j);
            if (!ix || PyList_Append(out, ix) < 0) Py_CLEAR(out);
            Py_XDECREF(ix);
        }
    }
done:
    PyMem_Free(mark);
    return out;
}

/* stamp_rows(lcs, constraints, muls, off) -> (constraint triples, product steps)
 * A replayed block's rows from its stamped combinations: constraints are u32 (a, b, c) indices into
 * lcs, muls u32 (own wire, a, b); a step is (OP_MUL = 0, wire + off, lcs[a], lcs[b]). */
static PyObject *py_stamp_rows(PyObject *self, PyObject *args) {
    PyObject *lcs;
    Py_buffer cons, muls;
    long long off;
    (void)self;
    if (!PyArg_ParseTuple(args, "O!y*y*L", &PyList_Type, &lcs, &cons, &muls, &off)) return NULL;
    const uint32_t *c = (const uint32_t *)cons.buf, *m = (const uint32_t *)muls.buf;
    Py_ssize_t n_lcs = PyList_GET_SIZE(lcs), n_cons = cons.len / 12, n_muls = muls.len / 12;
    PyObject *rows = PyList_New(n_cons), *steps = PyList_New(n_muls), *zero = PyLong_FromLong(0), *out = NULL;
    if (!rows || !steps || !zero) goto done;
    for (Py_ssize_t i = 0; i < 3 * n_cons; i++)
        if (c[i] >= n_lcs) { PyErr_SetString(PyExc_IndexError, "stamp_rows: constraint side out of range"); goto done; }
    for (Py_ssize_t i = 0; i < n_muls; i++)
        if (m[3 * i + 1] >= n_lcs || m[3 * i + 2] >= n_lcs) {
            PyErr_SetString(PyExc_IndexError, "stamp_rows: product side out of range");
            goto done;
        }
    for (Py_ssize_t i = 0; i < n_cons; i++) {
        PyObject *t = PyTuple_Pack(3, PyList_GET_ITEM(lcs, c[3 * i]), PyList_GET_ITEM(lcs, c[3 * i + 1]),
                                   PyList_GET_ITEM(lcs, c[3 * i + 2]));
        if (!t) goto done;
        PyList_SET_ITEM(rows, i, t);
    }
    for (Py_ssize_t i = 0; i < n_muls; i++) {
        PyObject *var = PyLong_FromLongLong((long long)m[3 * i] + off);
        if (!var) goto done;
        PyObject *t = PyTuple_Pack(4, zero, var, PyList_GET_ITEM(lcs, m[3 * i + 1]), PyList_GET_ITEM(lcs, m[3 * i + 2]));
        Py_DECREF(var);
        if (!t) goto done;
        PyList_SET_ITEM(steps, i, t);
    }
    out = PyTuple_Pack(2, rows, steps);
done:
    Py_XDECREF(rows);
    Py_XDECREF(steps);
    Py_XDECREF(zero);
    PyBuffer_Release(&cons);
    PyBuffer_Release(&muls);
    return out;
}

/* -- the .sym text (zkyield/dsl/symbols.py) ------------------------------------------------------ */

typedef struct { const char *s; Py_ssize_t n; } str_t;

/* FNV-1a over a path read with '/' as '.' (the .sym's dotted form), so two paths that dot alike collide */
static uint64_t dotted_hash(const char *s, Py_ssize_t n) {
    uint64_t h = 1469598103934665603ull;
    for (Py_ssize_t i = 0; i < n; i++) h = (h ^ (uint8_t)(s[i] == '/' ? '.' : s[i])) * 1099511628211ull;
    return h;
}

static int dotted_equal(str_t x, str_t y) {
    if (x.n != y.n) return 0;
    for (Py_ssize_t i = 0; i < x.n; i++) {
        char a = x.s[i] == '/' ? '.' : x.s[i], b = y.s[i] == '/' ? '.' : y.s[i];
        if (a != b) return 0;
    }
    return 1;
}

/* Open addressing over str_t keys: slot value index+1 into keys (0 = empty). */
typedef struct { uint32_t *cell; size_t mask; str_t *keys; uint32_t n; } strtab;

static int strtab_init(strtab *t, size_t n) {
    size_t cap = 16;
    while (cap < 2 * n + 2) cap *= 2;
    t->cell = PyMem_Calloc(cap, sizeof(uint32_t));
    t->keys = PyMem_Malloc(sizeof(str_t) * (n + 1));
    t->mask = cap - 1; t->n = 0;
    if (!t->cell || !t->keys) { PyErr_NoMemory(); return 0; }
    return 1;
}

static void strtab_free(strtab *t) { PyMem_Free(t->cell); PyMem_Free(t->keys); }

/* index of key (inserted at the end when new; *fresh says which); keys compare in dotted form when dotted */
static uint32_t strtab_put(strtab *t, str_t key, int dotted, int *fresh) {
    uint64_t h = dotted ? dotted_hash(key.s, key.n) : dotted_hash(key.s, key.n) ^ 0x9e3779b97f4a7c15ull;
    for (size_t i = (size_t)h & t->mask;; i = (i + 1) & t->mask) {
        uint32_t c = t->cell[i];
        if (!c) {
            t->keys[t->n] = key;
            t->cell[i] = ++t->n;
            *fresh = 1;
            return t->n - 1;
        }
        str_t k = t->keys[c - 1];
        if (dotted ? dotted_equal(k, key) : (k.n == key.n && !memcmp(k.s, key.s, (size_t)key.n))) {
            *fresh = 0;
            return c - 1;
        }
    }
}

/* decimal digits of v (v >= -1) at dst; the count written */
static size_t put_int(char *dst, long long v) {
    if (v < 0) { dst[0] = '-'; dst[1] = '1'; return 2; }
    char b[20];
    size_t n = 0;
    do { b[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    for (size_t i = 0; i < n; i++) dst[i] = b[n - 1 - i];
    return n;
}

/* symbol_text(circuit_name, slot_names, n_wires) -> bytes, or None when a name is not ASCII or holds '@'
 * (the Python reference then writes it). The lines of zkyield.dsl.symbols.symbol_lines_reference, each
 * ending in a newline: "slot,varIdx,component,name"; component ids by first appearance of a parent scope
 * ("" = 0), name = circuit_name "." path with '/' as '.', a repeat of an earlier name suffixed "@slot".
 * The lines go straight into a bytes object sized for the longest they can be, then shrunk (no buffer
 * grown and copied); the GIL is released meanwhile (the names are held by a tuple, so no thread can
 * drop them). */
static PyObject *py_symbol_text(PyObject *self, PyObject *args) {
    PyObject *prefix, *names;
    long long n_wires;
    (void)self;
    if (!PyArg_ParseTuple(args, "UOL", &prefix, &names, &n_wires)) return NULL;
    PyObject *seq = PySequence_Tuple(names);
    if (!seq) return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(seq);
    PyObject **items = &PyTuple_GET_ITEM(seq, 0);
    PyObject *result = NULL;
    strtab parents = {0}, full = {0};
    if (!PyUnicode_IS_COMPACT_ASCII(prefix) || memchr(PyUnicode_DATA(prefix), '@', (size_t)PyUnicode_GET_LENGTH(prefix))) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    const char *pre = (const char *)PyUnicode_DATA(prefix);
    size_t pre_n = (size_t)PyUnicode_GET_LENGTH(prefix), longest = 0;
    for (Py_ssize_t i = 1; i < n; i++) {
        PyObject *s = items[i];
        if (!PyUnicode_CheckExact(s) || !PyUnicode_IS_COMPACT_ASCII(s)
            || memchr(PyUnicode_DATA(s), '@', (size_t)PyUnicode_GET_LENGTH(s))) {
            result = Py_NewRef(Py_None);
            goto done;
        }
        longest += (size_t)PyUnicode_GET_LENGTH(s) + pre_n + 4 * 20 + 6; /* 4 numbers, 3 ',', '.', '@', '\n' */
    }
    if (!strtab_init(&parents, (size_t)n) || !strtab_init(&full, (size_t)n)) goto done;
    result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)longest);
    if (!result) goto done;
    char *out = PyBytes_AS_STRING(result), *at = out;
    Py_BEGIN_ALLOW_THREADS
    int fresh;
    strtab_put(&parents, (str_t){"", 0}, 0, &fresh);
    for (Py_ssize_t slot = 1; slot < n; slot++) {
        str_t path = {(const char *)PyUnicode_DATA(items[slot]), PyUnicode_GET_LENGTH(items[slot])};
        Py_ssize_t cut = path.n;
        while (cut > 0 && path.s[cut - 1] != '/') cut--;
        uint32_t component = strtab_put(&parents, (str_t){path.s, cut ? cut - 1 : 0}, 0, &fresh);
        strtab_put(&full, path, 1, &fresh);
        at += put_int(at, slot);
        *at++ = ',';
        at += put_int(at, slot < n_wires ? slot : -1);
        *at++ = ',';
        at += put_int(at, component);
        *at++ = ',';
        memcpy(at, pre, pre_n);
        at += pre_n;
        *at++ = '.';
        for (Py_ssize_t i = 0; i < path.n; i++) at[i] = path.s[i] == '/' ? '.' : path.s[i];
        at += path.n;
        if (!fresh) {
            *at++ = '@';
            at += put_int(at, slot);
        }
        *at++ = '\n';
    }
    Py_END_ALLOW_THREADS
    _PyBytes_Resize(&result, at - out);
done:
    strtab_free(&parents);
    strtab_free(&full);
    Py_DECREF(seq);
    return result;
}

static PyMethodDef methods[] = {
    {"symbol_text", py_symbol_text, METH_VARARGS, "The .sym lines of a circuit's slot names (None: the reference writes them)."},
    {"remap", py_remap, METH_VARARGS, "A linear combination with its variables replaced by their slots."},
    {"pool_lc", py_pool_lc, METH_VARARGS, "Append a linear combination to a program's term pool."},
    {"scan_constraints", py_scan_constraints, METH_VARARGS, "Linear constraints and variable occurrence counts."},
    {"touching", py_touching, METH_VARARGS, "Which constraints name a removed variable."},
    {"stamp", py_stamp, METH_VARARGS, "A recorded block's combinations, its wires shifted."},
    {"compose", py_compose, METH_VARARGS, "A replayed block's combination that names its inputs."},
    {"stamp_rows", py_stamp_rows, METH_VARARGS, "A replayed block's constraint triples and product steps."},
    {"pool_steps", py_pool_steps, METH_VARARGS, "Freeze product and copy steps into program rows, up to a hint."},
    {"encode_lcs", py_encode_lcs, METH_VARARGS,
     "Constraint sides as .r1cs or digest bytes, variables through an optional slot map (None: not encodable)."},
    {"r1cs_digest_terms", py_r1cs_digest_terms, METH_VARARGS, "R1CS.digest's term bytes from a .r1cs section."},
    {"r1cs_rows", py_r1cs_rows, METH_VARARGS, "QAP rows and the first unsatisfied constraint of a .r1cs section."},
    {"run", py_run, METH_VARARGS, "Run product and copy steps until a hint step or stop."},
    {"eval_lc", py_eval_lc, METH_VARARGS, "Value of one linear combination of the term pool."},
    {"to_montgomery", py_to_montgomery, METH_VARARGS, "Constants into Montgomery form."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_witness", "Witness program runner (products and copies over Fr)", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__witness(void) {
    fq_init();
    fr_init();
    return PyModule_Create(&module);
}
