/* sim/trace_pages.c: trace tables as SQLite B-tree pages (see trace_pages.h).
 *
 * The format's facts used here (fileformat2.html): pages are numbered from
 * 1; page 1 starts with the 100-byte file header, whose big-endian fields
 * at 16 (page size, 1 meaning 65536), 20 (reserved bytes a page), 24 (file
 * change counter), 28 (pages in the file, trusted when 92 equals 24), 32
 * and 36 (the freelist) and 52 (auto-vacuum's largest root) are read or
 * set.  A table leaf page: the byte 0x0D, the first freeblock (2 bytes),
 * the number of cells (2), where the cell content starts (2; 0 for 65536),
 * fragmented free bytes (1), then the cells' offsets (2 bytes each); the
 * cells fill the page from its end.  A cell: the payload's size and the
 * rowid as varints, the payload, and the first overflow page (4 bytes)
 * when the payload spills.  An interior page: 0x05, the same fields, the
 * right-most child (4 bytes), then cells of a child (4 bytes) and the
 * largest rowid under it (a varint).  An overflow page: the next one (4
 * bytes, 0 at the end) and U - 4 bytes of payload.  With U the usable page
 * size, a payload P stays whole in a leaf when P <= X = U - 35; otherwise
 * with M = (U - 12) 32 / 255 - 23 and K = M + (P - M) % (U - 4), K bytes
 * stay when K <= X, else M.  A varint is 1 to 9 bytes, big-endian, 7 bits
 * a byte with the high bit saying another follows, the ninth byte all 8
 * bits.  A record: its header's size (a varint, itself included), a
 * serial type per column, then the values: 0 NULL, 1-6 integers of
 * 1, 2, 3, 4, 6, 8 bytes (big-endian two's complement), 7 a real (8
 * bytes, big-endian IEEE 754), 8 and 9 the integers 0 and 1 (no bytes;
 * schema format 4), 2n + 13 a text of n bytes. */
#include "trace_pages.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "trace_digest.h"

#define SQLITE_MAX_PAYLOAD 1000000000u  /* SQLITE_MAX_LENGTH's default: what SQLite would refuse */
#define OUT_PAGES 64                    /* side-file pages buffered before a write */

enum { KIND_LEAF = 1, KIND_INTERIOR, KIND_OVERFLOW };

typedef struct child {
    uint32_t page;          /* side-file number (from 1) */
    int64_t key;            /* the largest rowid under it */
} child;

struct simtp_table {
    simtp *p;
    char *name;
    unsigned ncols;
    uint32_t root;
    int64_t rowid;          /* the last row's */
    guint8 *leaf;           /* the leaf being filled */
    unsigned ncells, content;
    GArray *leaves;         /* child: every full leaf written */
    guint8 *hdr;            /* a record's serial types, being built */
};

struct simtp {
    int fd;                 /* the side file */
    unsigned psize, usable;
    uint32_t pages;         /* side-file pages numbered so far */
    GByteArray *kinds;      /* [page - 1]: KIND_* */
    guint8 *out;            /* pages numbered and not yet written: OUT_PAGES of them */
    uint32_t out_first, out_n;
    GPtrArray *tables;
    guint8 *rec;            /* a record being built, at rec_at */
    uint64_t rec_len, rec_cap;
    size_t rec_at;
    char *failure;
};

/* ---- bytes ---- */

static inline void put_be(guint8 *p, uint64_t v, unsigned n)
{
    uint64_t be = GUINT64_TO_BE(v);
    const guint8 *b = (const guint8 *)&be;
    switch (n) {       /* fixed sizes: copies the compiler inlines */
    case 8: memcpy(p, b, 8); break;
    case 6: memcpy(p, b + 2, 6); break;
    case 4: memcpy(p, b + 4, 4); break;
    case 3: memcpy(p, b + 5, 3); break;
    case 2: memcpy(p, b + 6, 2); break;
    case 1: *p = b[7]; break;
    default: memcpy(p, b + 8 - n, n); break;
    }
}

static inline uint64_t get_be(const guint8 *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static inline unsigned varint_len(uint64_t v)
{
    if (v < 0x80)
        return 1;
    unsigned n = 1;
    if (v > UINT64_C(0x00ffffffffffffff))
        return 9;
    while (v >>= 7)
        n++;
    return n;
}

/* SQLite's varint of v at p (varint_len(v) bytes). */
static inline unsigned put_varint(guint8 *p, uint64_t v)
{
    if (v < 0x80) {
        *p = (guint8)v;
        return 1;
    }
    if (v > UINT64_C(0x00ffffffffffffff)) {
        p[8] = (guint8)v;
        v >>= 8;
        for (int i = 7; i >= 0; i--) {
            p[i] = (guint8)((v & 0x7f) | 0x80);
            v >>= 7;
        }
        return 9;
    }
    unsigned n = varint_len(v);
    for (unsigned i = n; i-- > 0;) {
        p[i] = (guint8)((v & 0x7f) | (i == n - 1 ? 0 : 0x80));
        v >>= 7;
    }
    return n;
}

static unsigned get_varint(const guint8 *p, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++) {
        v = v << 7 | (p[i] & 0x7f);
        if (!(p[i] & 0x80)) {
            *out = v;
            return i + 1;
        }
    }
    *out = v << 8 | p[8];
    return 9;
}

/* Bytes of a leaf cell's payload kept on the leaf (the rest overflows). */
static uint64_t local_bytes(const simtp *p, uint64_t payload)
{
    uint64_t u = p->usable, x = u - 35;
    if (payload <= x)
        return payload;
    uint64_t m = (u - 12) * 32 / 255 - 23, k = m + (payload - m) % (u - 4);
    return k <= x ? k : m;
}

/* ---- the side file ---- */

static void fail(simtp *p, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void fail(simtp *p, const char *fmt, ...)
{
    if (p->failure)
        return;
    va_list ap;
    va_start(ap, fmt);
    p->failure = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

/* All n bytes at `at`, written from b (write) or read into it; false on an
 * error or the end of the file. */
static bool io_all(int fd, guint8 *b, size_t n, off_t at, bool write)
{
    while (n > 0) {
        ssize_t k = write ? pwrite(fd, b, n, at) : pread(fd, b, n, at);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        b += k, n -= (size_t)k, at += k;
    }
    return true;
}

static bool write_all(int fd, const guint8 *b, size_t n, off_t at)
{
    return io_all(fd, (guint8 *)b, n, at, true);
}

static bool read_all(int fd, guint8 *b, size_t n, off_t at)
{
    return io_all(fd, b, n, at, false);
}

static void flush_out(simtp *p)
{
    if (p->out_n == 0)
        return;
    if (!write_all(p->fd, p->out, (size_t)p->out_n * p->psize, (off_t)(p->out_first - 1) * p->psize))
        fail(p, "cannot write the trace's pages: %s", g_strerror(errno));
    p->out_first += p->out_n;
    p->out_n = 0;
}

/* The next side-file page and its number; zeroed unless a whole page is
 * to be copied into it (`whole`). */
static guint8 *new_page(simtp *p, unsigned kind, uint32_t *number, bool whole)
{
    if (p->out_n == OUT_PAGES)
        flush_out(p);
    guint8 *b = p->out + (size_t)p->out_n++ * p->psize;
    if (!whole)
        memset(b, 0, p->psize);
    guint8 k = (guint8)kind;
    g_byte_array_append(p->kinds, &k, 1);
    *number = ++p->pages;
    return b;
}

simtp *simtp_open(const char *near, unsigned page_size, GError **error)
{
    g_assert(page_size >= 512 && page_size <= 65536 && (page_size & (page_size - 1)) == 0);
    g_autofree char *dir = g_path_get_dirname(near);
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        /* no O_TMPFILE there: a named file, unlinked at once */
        g_autofree char *tmpl = g_build_filename(dir, ".cossim-pages-XXXXXX", NULL);
        fd = g_mkstemp_full(tmpl, O_RDWR | O_CLOEXEC, 0600);
        if (fd >= 0)
            unlink(tmpl);
    }
    if (fd < 0) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot make the trace's page file in '%s': %s",
                    dir, g_strerror(e));
        return NULL;
    }
    simtp *p = g_new0(simtp, 1);
    p->fd = fd;
    p->psize = p->usable = page_size;
    p->kinds = g_byte_array_new();
    p->out = g_malloc((size_t)OUT_PAGES * page_size);
    p->out_first = 1;
    p->tables = g_ptr_array_new();
    return p;
}

simtp_table *simtp_table_new(simtp *p, const char *name, unsigned ncols, uint32_t root)
{
    g_assert(root >= 2);
    simtp_table *t = g_new0(simtp_table, 1);
    t->p = p;
    t->name = g_strdup(name);
    t->ncols = ncols;
    t->root = root;
    t->leaf = g_malloc0(p->psize);
    t->content = p->usable;
    t->leaves = g_array_new(FALSE, FALSE, sizeof(child));
    t->hdr = g_malloc(9 * ((size_t)ncols + 1));
    g_ptr_array_add(p->tables, t);
    return t;
}

uint64_t simtp_table_rows(const simtp_table *t)
{
    return (uint64_t)t->rowid;
}

/* ---- leaves ---- */

static void leaf_header(guint8 *b, unsigned ncells, unsigned content)
{
    b[0] = 0x0d;
    put_be(b + 3, ncells, 2);
    put_be(b + 5, content == 65536 ? 0 : content, 2);
}

/* The full leaf goes to the side file; a new one begins. */
static void leaf_out(simtp_table *t)
{
    simtp *p = t->p;
    leaf_header(t->leaf, t->ncells, t->content);
    uint32_t n;
    memcpy(new_page(p, KIND_LEAF, &n, true), t->leaf, p->psize);
    child c = { n, t->rowid };
    g_array_append_val(t->leaves, c);
    memset(t->leaf, 0, p->psize);
    t->ncells = 0;
    t->content = p->usable;
}

/* The serial type and size of the number (an 'I' or 'F' value) at v. */
static inline unsigned number_type(const guint8 *v, unsigned *size)
{
    if (*v == 'F') {
        *size = 8;
        return 7;
    }
    int64_t i = simtr_value_i64(v);
    if (i == 0 || i == 1) {
        *size = 0;
        return (unsigned)(8 + i);
    }
    /* the bytes for the magnitude's bits and a sign bit: 1, 2, 3, 4, 6 or 8 */
    static const guint8 type_of_bytes[9] = { 1, 1, 2, 3, 4, 5, 5, 6, 6 };
    static const guint8 size_of_type[7] = { 0, 1, 2, 3, 4, 6, 8 };
    uint64_t u = i < 0 ? ~(uint64_t)i : (uint64_t)i;
    unsigned bits = u ? 65 - (unsigned)__builtin_clzll(u) : 1, type = type_of_bytes[(bits + 7) / 8];
    *size = size_of_type[type];
    return type;
}

/* Room for n bytes in p->rec. */
static guint8 *rec_room(simtp *p, uint64_t n)
{
    if (n > p->rec_cap) {
        p->rec_cap = MAX(n, 2 * p->rec_cap);
        p->rec = g_realloc(p->rec, p->rec_cap);
    }
    return p->rec;
}

/* The record of the row at *pos, in one pass: the values go into p->rec
 * after room for the longest header, the serial types into t->hdr; then
 * the header is put right before the values.  The record in
 * [p->rec_at, p->rec_at + p->rec_len); the row's end in *pos (at most
 * `end`: a row's values take no more bytes in the record than in the
 * chunk). */
static void build_record(simtp_table *t, const guint8 **pos, const guint8 *end)
{
    simtp *p = t->p;
    const guint8 *v = *pos;
    size_t room = 9 + 9 * ((size_t)t->ncols + 1);
    guint8 *b0 = rec_room(p, room + (uint64_t)(end - v)) + room, *b = b0, *h = t->hdr;
    *h++ = 0;       /* the id: the rowid's alias, stored as NULL */
    for (unsigned c = 0; c < t->ncols; c++) {
        switch (*v) {
        case 'N':
            *h++ = 0;
            v += 1;
            break;
        case 'T': {
            size_t n = simtr_value_len(v) - 5;
            h += put_varint(h, 2 * (uint64_t)n + 13);
            memcpy(b, v + 5, n);
            b += n, v += 5 + n;
            break;
        }
        default: {
            unsigned size;
            *h++ = (guint8)number_type(v, &size);
            if (size)
                put_be(b, (uint64_t)simtr_value_i64(v), size);
            b += size, v += 9;
            break;
        }
        }
    }
    *pos = v;
    /* the header's size counts its own varint */
    uint64_t hdr = (uint64_t)(h - t->hdr), hsize = hdr + 1;
    while (hdr + varint_len(hsize) != hsize)
        hsize = hdr + varint_len(hsize);
    guint8 *r = b0 - hsize;
    memcpy(r + put_varint(r, hsize), t->hdr, hdr);
    p->rec_at = (size_t)(r - p->rec);
    p->rec_len = (uint64_t)(b - r);
    if (p->rec_len > SQLITE_MAX_PAYLOAD)
        fail(p, "a row of %s is %" G_GUINT64_FORMAT " bytes, more than SQLite holds", t->name, p->rec_len);
}

/* The record in p->rec as the table's next row. */
static void add_cell(simtp_table *t)
{
    simtp *p = t->p;
    uint64_t payload = p->rec_len, local = local_bytes(p, payload);
    int64_t rowid = t->rowid + 1;
    unsigned cell = varint_len(payload) + varint_len((uint64_t)rowid) + (unsigned)local + (local < payload ? 4 : 0);
    if (8 + 2 * (t->ncells + 1) + cell > t->content)
        leaf_out(t);
    t->rowid = rowid;
    t->content -= cell;
    guint8 *c = t->leaf + t->content;
    put_be(t->leaf + 8 + 2 * t->ncells++, t->content, 2);
    c += put_varint(c, payload);
    c += put_varint(c, (uint64_t)rowid);
    const guint8 *rec = p->rec + p->rec_at;
    memcpy(c, rec, local);
    if (local == payload)
        return;
    /* the rest in a chain of overflow pages, numbered as written */
    uint64_t done = local, room = p->usable - 4;
    uint32_t first = p->pages + 1;
    put_be(c + local, first, 4);
    while (done < payload) {
        uint32_t n;
        guint8 *o = new_page(p, KIND_OVERFLOW, &n, false);
        uint64_t take = MIN(room, payload - done);
        memcpy(o + 4, rec + done, take);
        done += take;
        put_be(o, done < payload ? n + 1 : 0, 4);
    }
}

bool simtp_add_rows(simtp_table *t, const guint8 *data, size_t len, uint64_t rows, char **failure)
{
    simtp *p = t->p;
    const guint8 *pos = data;
    for (uint64_t r = 0; r < rows && p->failure == NULL; r++) {
        build_record(t, &pos, data + len);
        if (p->failure == NULL)
            add_cell(t);
    }
    g_assert(p->failure || pos == data + len);
    if (p->failure) {
        *failure = g_strdup(p->failure);
        return false;
    }
    return true;
}

/* ---- interior levels and the root ---- */

/* Interior pages over `kids`; the page holding the level's only page goes
 * to top instead of the side file.  The next level up in *up. */
static void interior_level(simtp *p, const GArray *kids, GArray *up, guint8 *top)
{
    const child *k = (const child *)(const void *)kids->data;
    unsigned n = kids->len;
    /* where each page starts: as many children as fit, the last as the
     * right-most child; a page is never left with one child alone */
    GArray *starts = g_array_new(FALSE, FALSE, sizeof(unsigned));
    unsigned i = 0;
    while (i < n) {
        g_array_append_val(starts, i);
        unsigned used = 12, j = i;
        while (j + 1 < n && used + 2 + 4 + varint_len((uint64_t)k[j].key) <= p->usable)
            used += 2 + 4 + varint_len((uint64_t)k[j].key), j++;
        i = j + 1;
    }
    unsigned pages = starts->len, *s = (unsigned *)(void *)starts->data;
    if (pages >= 2 && s[pages - 1] == n - 1)
        s[pages - 1]--;     /* the previous page gives up its last child */
    for (unsigned q = 0; q < pages; q++) {
        unsigned from = s[q], to = q + 1 < pages ? s[q + 1] : n;   /* children [from, to) */
        uint32_t num = 0;
        guint8 *b = pages == 1 ? top : new_page(p, KIND_INTERIOR, &num, false);
        memset(b, 0, p->psize);
        unsigned content = p->usable, cells = 0;
        for (unsigned j = from; j + 1 < to; j++) {
            guint8 cell[13];
            unsigned len = 4;
            put_be(cell, k[j].page, 4);
            len += put_varint(cell + 4, (uint64_t)k[j].key);
            content -= len;
            memcpy(b + content, cell, len);
            put_be(b + 12 + 2 * cells++, content, 2);
        }
        b[0] = 0x05;
        put_be(b + 3, cells, 2);
        put_be(b + 5, content == 65536 ? 0 : content, 2);
        put_be(b + 8, k[to - 1].page, 4);
        if (pages > 1) {
            child c = { num, k[to - 1].key };
            g_array_append_val(up, c);
        }
    }
    g_array_free(starts, TRUE);
}

/* The table's top page into top (NULL: no rows, the root stays as SQLite
 * made it). */
static const guint8 *finish_table(simtp_table *t, guint8 *top)
{
    simtp *p = t->p;
    if (t->rowid == 0)
        return NULL;
    if (t->leaves->len == 0) {
        leaf_header(t->leaf, t->ncells, t->content);
        memcpy(top, t->leaf, p->psize);
        return top;
    }
    if (t->ncells)
        leaf_out(t);
    GArray *level = g_array_copy(t->leaves), *up = g_array_new(FALSE, FALSE, sizeof(child));
    for (;;) {
        g_array_set_size(up, 0);
        interior_level(p, level, up, top);
        if (up->len == 0)
            break;
        GArray *x = level;
        level = up, up = x;
    }
    g_array_free(level, TRUE);
    g_array_free(up, TRUE);
    return top;
}

/* Side-file page numbers in a page made final: + base. */
static void renumber(const simtp *p, guint8 *b, unsigned kind, uint32_t base)
{
    if (kind == KIND_OVERFLOW) {
        uint32_t next = (uint32_t)get_be(b, 4);
        if (next)
            put_be(b, next + base, 4);
        return;
    }
    unsigned cells = (unsigned)get_be(b + 3, 2);
    if (kind == KIND_INTERIOR) {
        put_be(b + 8, get_be(b + 8, 4) + base, 4);
        for (unsigned i = 0; i < cells; i++) {
            guint8 *c = b + get_be(b + 12 + 2 * i, 2);
            put_be(c, get_be(c, 4) + base, 4);
        }
        return;
    }
    for (unsigned i = 0; i < cells; i++) {
        const guint8 *c = b + get_be(b + 8 + 2 * i, 2);
        uint64_t payload, rowid;
        c += get_varint(c, &payload);
        c += get_varint(c, &rowid);
        uint64_t local = local_bytes(p, payload);
        if (local < payload) {
            guint8 *o = (guint8 *)c + local;
            put_be(o, get_be(o, 4) + base, 4);
        }
    }
}

bool simtp_assemble(simtp *p, const char *db_path, char **failure)
{
    guint8 *top = g_malloc(p->psize), *hdr = g_malloc(100);
    GArray *tops = g_array_new(FALSE, TRUE, sizeof(guint8 *));
    for (guint i = 0; i < p->tables->len && p->failure == NULL; i++) {
        simtp_table *t = p->tables->pdata[i];
        guint8 *b = finish_table(t, top) ? g_memdup2(top, p->psize) : NULL;
        g_array_append_val(tops, b);
    }
    flush_out(p);
    int fd = p->failure ? -1 : open(db_path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        fail(p, "cannot open '%s' to add its tables: %s", db_path, g_strerror(errno));
    uint32_t base = 0;
    if (p->failure == NULL) {
        off_t size = lseek(fd, 0, SEEK_END);
        if (!read_all(fd, hdr, 100, 0))
            fail(p, "cannot read the header of '%s'", db_path);
        else {
            unsigned psize = (unsigned)get_be(hdr + 16, 2);
            base = (uint32_t)get_be(hdr + 28, 4);
            if ((psize == 1 ? 65536 : psize) != p->psize || hdr[20] != 0 || get_be(hdr + 24, 4) != get_be(hdr + 92, 4)
                || get_be(hdr + 32, 4) != 0 || get_be(hdr + 36, 4) != 0 || get_be(hdr + 52, 4) != 0
                || (uint64_t)size != (uint64_t)base * p->psize || (uint64_t)base + p->pages > UINT32_MAX - 1)
                fail(p, "'%s' is not the file SQLite was to leave (page size, reserved bytes, page count or freelist)",
                     db_path);
        }
    }
    /* the side file's pages after SQLite's, renumbered */
    for (uint32_t first = 1; first <= p->pages && p->failure == NULL; first += OUT_PAGES) {
        uint32_t n = MIN((uint32_t)OUT_PAGES, p->pages - first + 1);
        if (!read_all(p->fd, p->out, (size_t)n * p->psize, (off_t)(first - 1) * p->psize)) {
            fail(p, "cannot read the trace's pages back: %s", g_strerror(errno));
            break;
        }
        for (uint32_t i = 0; i < n; i++)
            renumber(p, p->out + (size_t)i * p->psize, p->kinds->data[first - 1 + i], base);
        if (!write_all(fd, p->out, (size_t)n * p->psize, (off_t)(base + first - 1) * p->psize))
            fail(p, "cannot write '%s': %s", db_path, g_strerror(errno));
    }
    for (guint i = 0; i < p->tables->len && p->failure == NULL; i++) {
        guint8 *b = g_array_index(tops, guint8 *, i);
        if (b == NULL)
            continue;
        simtp_table *t = p->tables->pdata[i];
        renumber(p, b, b[0] == 0x05 ? KIND_INTERIOR : KIND_LEAF, base);
        if (!write_all(fd, b, p->psize, (off_t)(t->root - 1) * p->psize))
            fail(p, "cannot write '%s': %s", db_path, g_strerror(errno));
    }
    if (p->failure == NULL) {
        put_be(hdr + 28, base + p->pages, 4);
        if (!write_all(fd, hdr + 28, 4, 28))
            fail(p, "cannot write '%s': %s", db_path, g_strerror(errno));
    }
    if (fd >= 0 && close(fd) != 0)
        fail(p, "cannot close '%s': %s", db_path, g_strerror(errno));
    for (guint i = 0; i < tops->len; i++)
        g_free(g_array_index(tops, guint8 *, i));
    g_array_free(tops, TRUE);
    g_free(top);
    g_free(hdr);
    if (p->failure) {
        *failure = g_strdup(p->failure);
        return false;
    }
    return true;
}

void simtp_free(simtp *p)
{
    if (p == NULL)
        return;
    for (guint i = 0; i < p->tables->len; i++) {
        simtp_table *t = p->tables->pdata[i];
        g_free(t->name);
        g_free(t->leaf);
        g_array_free(t->leaves, TRUE);
        g_free(t->hdr);
        g_free(t);
    }
    g_ptr_array_free(p->tables, TRUE);
    g_byte_array_free(p->kinds, TRUE);
    g_free(p->rec);
    g_free(p->out);
    g_free(p->failure);
    close(p->fd);
    g_free(p);
}
