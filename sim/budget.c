/* sim/budget.c: a run's host budgets (see budget.h).  Calls nothing of the
 * engine: the engine and the Lua host call it. */
#include "budget.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

void simbudget_init(simbudget *b, double seconds, uint64_t memory)
{
    *b = (simbudget){ .start_us = g_get_monotonic_time(), .memory = memory, .seconds = seconds };
    if (seconds > 0)
        b->deadline_us = b->start_us + (gint64)(seconds * 1e6);
}

uint64_t simbudget_resident(void)
{
    /* the second figure of statm: resident pages (Linux); elsewhere no
     * reading, so no memory budget */
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char buf[128];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    unsigned long long size = 0, resident = 0;
    if (sscanf(buf, "%llu %llu", &size, &resident) != 2)
        return 0;
    return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

bool simbudget_ok(simbudget *b)
{
    if (b == NULL)
        return true;
    if (b->state != SIMBUDGET_OK)
        return false;
    if (b->deadline_us == 0 && b->memory == 0)
        return true;
    gint64 now = g_get_monotonic_time();
    if (b->deadline_us && now >= b->deadline_us) {
        b->state = SIMBUDGET_TIME;
        return false;
    }
    if (b->memory && now >= b->next_memory_us) {
        b->next_memory_us = now + SIMBUDGET_MEMORY_EVERY_US;
        b->resident = simbudget_resident();
        if (b->resident > b->memory) {
            b->state = SIMBUDGET_MEMORY;
            return false;
        }
    }
    return true;
}

const char *simbudget_message(const simbudget *b, char *buf, size_t len)
{
    if (b == NULL || b->state == SIMBUDGET_OK)
        g_strlcpy(buf, "", len);
    else if (b->state == SIMBUDGET_TIME)
        g_snprintf(buf, len, "the host-time budget of %g s ran out (raise it with --timeout; 0 = none)", b->seconds);
    else
        g_snprintf(buf, len, "the host-memory budget of %" G_GUINT64_FORMAT " MiB ran out (%" G_GUINT64_FORMAT
                   " MiB resident; raise it with --memory; 0 = none)", b->memory >> 20, b->resident >> 20);
    return buf;
}
