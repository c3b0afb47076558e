/* analysis/gnuplot.c: gnuplot programs and their run (see gnuplot.h for
 * the rule on untrusted text).  Below plot.c and plot_trace.c, which both
 * draw through it and never call each other back.
 *
 * A program is assembled in three parts: the terminal (fixed text chosen
 * by the output's extension), the labels (the string array L, each element
 * written by an_gp_string, the only code that turns outside text into
 * program text) and the figure's own commands.  gnuplot reads it from a
 * temporary file given as its standard input, writes the figure to another
 * as its standard output and its messages to a third; all three are
 * unlinked as soon as they are open, so a run that is killed leaves
 * nothing behind, and no name of ours or the user's reaches gnuplot.
 */
#include "gnuplot.h"

#include "sim/json.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

struct an_gp {
    const char *terminal;
    GString *labels;            /* "L[i] = <literal>" lines */
    int nlabels;
    GString *text;              /* the figure's commands */
};

/* noenhanced: a label's {}^_@&~ are characters, not markup. */
const char *an_gp_terminal(const char *out)
{
    if (g_str_has_suffix(out, ".png"))
        return "pngcairo noenhanced size 900,600 font 'Sans,11'";
    if (g_str_has_suffix(out, ".svg"))
        return "svg noenhanced size 900,600 font 'Sans,11'";
    if (g_str_has_suffix(out, ".pdf"))
        return "pdfcairo noenhanced size 6in,4in font 'Sans,10'";
    return NULL;
}

an_gp *an_gp_new(const char *out)
{
    const char *terminal = an_gp_terminal(out);
    g_assert(terminal != NULL);
    an_gp *g = g_new0(an_gp, 1);
    g->terminal = terminal;
    g->labels = g_string_new(NULL);
    g->text = g_string_new(NULL);
    return g;
}

void an_gp_free(an_gp *g)
{
    if (g == NULL)
        return;
    g_string_free(g->labels, TRUE);
    g_string_free(g->text, TRUE);
    g_free(g);
}

GString *an_gp_text(an_gp *g)
{
    return g->text;
}

/* Octal for everything but ASCII letters and spaces: gnuplot's reader
 * acts on raw characters only (a backquote runs a command even inside
 * double quotes, a newline or `;` ends the command, `@` expands a macro,
 * `#` starts a comment), while the string parser turns \ooo into its byte
 * after that.  Digits are escaped too: an escape starting with 0 takes up
 * to four digits ("\0560" is 'p', not ".0"), so no raw digit may follow
 * one. */
void an_gp_string(GString *gp, const char *s)
{
    g_string_append_c(gp, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (g_ascii_isalpha(*p) || *p == ' ')
            g_string_append_c(gp, (char)*p);
        else
            g_string_append_printf(gp, "\\%03o", *p);
    }
    g_string_append_c(gp, '"');
}

/* Characters a reader cannot see, or that would move or reorder the
 * text around them. */
static bool invisible(gunichar u)
{
    switch (g_unichar_type(u)) {
    case G_UNICODE_CONTROL:
    case G_UNICODE_FORMAT:
    case G_UNICODE_LINE_SEPARATOR:
    case G_UNICODE_PARAGRAPH_SEPARATOR:
    case G_UNICODE_SURROGATE:
        return true;
    default:
        return false;
    }
}

char *an_gp_visible(const char *text)
{
    GString *v = g_string_new(NULL);
    const char *p = text;
    while (*p) {
        unsigned char c = (unsigned char)*p;
        gunichar u = c < 0x80 ? c : g_utf8_get_char_validated(p, -1);
        if (c == '\n' || c == '\r' || c == '\t') {
            g_string_append(v, c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t");
            p++;
        } else if (u == (gunichar)-1 || u == (gunichar)-2 || (c < 0x80 && invisible(u))) {
            g_string_append_printf(v, "\\x%02x", c);      /* not UTF-8, or an ASCII control byte */
            p++;
        } else if (invisible(u)) {
            g_string_append_printf(v, "\\u{%04" G_GINT32_MODIFIER "X}", u);
            p = g_utf8_next_char(p);
        } else {
            const char *next = g_utf8_next_char(p);
            g_string_append_len(v, p, next - p);
            p = next;
        }
    }
    return g_string_free(v, FALSE);
}

int an_gp_label(an_gp *g, const char *text)
{
    g_autofree char *v = an_gp_visible(text);
    int i = ++g->nlabels;
    g_string_append_printf(g->labels, "L[%d] = ", i);
    an_gp_string(g->labels, v);
    g_string_append_c(g->labels, '\n');
    return i;
}

void an_gp_ref(an_gp *g, const char *text)
{
    g_string_append_printf(g->text, "L[%d]", an_gp_label(g, text));
}

void an_gp_data(an_gp *g, const char *name, const char *rows)
{
    /* the block ends at a line "EOD": a row of these characters cannot be
     * one, nor hold anything gnuplot's reader acts on */
    g_assert(name[0] && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(name));
    g_assert(strspn(rows, "0123456789abcdefABCDEFx.+- \n") == strlen(rows));
    g_assert(rows[0] == '\0' || rows[strlen(rows) - 1] == '\n');
    g_string_append_printf(g->text, "$%s << EOD\n%sEOD\n", name, rows);
}

/* Okabe and Ito's colour-blind-safe palette, then darker and lighter
 * tones: task n gets colour n mod 12 in every figure. */
const char *an_gp_colour(int64_t n)
{
    static const char *const c[] = { "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                                     "#F0E442", "#000000", "#882255", "#44AA99", "#999933", "#AA4499" };
    int64_t k = (int64_t)G_N_ELEMENTS(c);
    return c[((n % k) + k) % k];     /* any n, INT64_MIN too */
}

/* A temporary file, already unlinked: -1 on failure. */
static int scratch(void)
{
    char *name = NULL;
    int fd = g_file_open_tmp("cossim-plot-XXXXXX", &name, NULL);
    if (fd >= 0)
        g_unlink(name);
    g_free(name);
    return fd;
}

static bool write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        buf += n;
        len -= (size_t)n;
    }
    return true;
}

/* The whole file behind fd, from its start. */
static GByteArray *read_all(int fd)
{
    GByteArray *b = g_byte_array_new();
    if (lseek(fd, 0, SEEK_SET) != 0)
        return b;
    guint8 buf[65536];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        g_byte_array_append(b, buf, (guint)n);
    }
    return b;
}

static int fail(int rc, const char *what, const char *detail)
{
    fprintf(stderr, "cossim plot: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    return rc;
}

/* Run gnuplot with the program on its standard input and the figure on
 * its standard output; gnuplot -d reads no start-up file (~/.gnuplot), and
 * a file argument (/dev/stdin, which opens the unlinked file again from
 * its start) makes it stop at the first error, as it does with a script,
 * instead of going on as it does at a prompt.  The figure's bytes into
 * *figure, or false with gnuplot's message. */
static bool gnuplot(const char *path, const GString *prog, GByteArray **figure, char **message)
{
    int in = scratch(), fig = scratch(), msg = scratch();
    bool ok = false;
    *figure = NULL;
    *message = NULL;
    GError *err = NULL;
    if (in < 0 || fig < 0 || msg < 0 || !write_all(in, prog->str, prog->len) || lseek(in, 0, SEEK_SET) != 0) {
        *message = g_strdup("cannot make a temporary file");
        goto out;
    }
    char *argv[] = { (char *)path, "-d", "/dev/stdin", NULL };
    GPid pid;
    if (!g_spawn_async_with_fds(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, in, fig, msg, &err)) {
        *message = g_strdup(err->message);
        g_error_free(err);
        goto out;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    g_spawn_close_pid(pid);
    GByteArray *m = read_all(msg);
    g_byte_array_append(m, (const guint8 *)"", 1);
    if (!g_spawn_check_wait_status(status, NULL)) {
        *message = g_strstrip((char *)g_byte_array_free(m, FALSE));
        goto out;
    }
    g_byte_array_free(m, TRUE);
    *figure = read_all(fig);
    ok = true;
out:
    if (in >= 0)
        close(in);
    if (fig >= 0)
        close(fig);
    if (msg >= 0)
        close(msg);
    return ok;
}

/* What an_gp_run prints of the figure it wrote (an_gp_json). */
static bool json_output;

void an_gp_json(bool on)
{
    json_output = on;
}

int an_gp_run(an_gp *g, const char *out)
{
    GString *prog = g_string_new(NULL);
    g_string_append_printf(prog, "set terminal %s\nset output\n", g->terminal);   /* output: stdout */
    if (g->nlabels)
        g_string_append_printf(prog, "array L[%d]\n%s", g->nlabels, g->labels->str);
    g_string_append(prog, g->text->str);
    an_gp_free(g);
    g_autofree char *path = g_find_program_in_path("gnuplot");
    if (path == NULL) {
        g_string_free(prog, TRUE);
        return fail(2, "gnuplot is not installed (scripts/deps.sh installs it)", NULL);
    }
    GByteArray *figure;
    g_autofree char *message = NULL;
    bool ran = gnuplot(path, prog, &figure, &message);
    g_string_free(prog, TRUE);
    if (!ran)
        return fail(1, "gnuplot failed", message);
    GError *err = NULL;
    int rc = 0;
    if (figure->len == 0)
        rc = fail(1, "gnuplot failed", "it drew nothing");
    else if (!g_file_set_contents(out, (const char *)figure->data, figure->len, &err)) {
        g_autofree char *what = g_strdup_printf("cannot write the figure %s", out);
        rc = fail(2, what, err->message);
    } else if (json_output) {
        g_autoptr(GString) j = g_string_new("{\"figure\":");
        simjson_string(j, out, -1);
        printf("%s}\n", j->str);
    } else {
        printf("%s\n", out);
    }
    g_clear_error(&err);
    g_byte_array_free(figure, TRUE);
    return rc;
}
