/* fuzz_archive.c - libFuzzer target: stub files (archive.h) of any bytes.
 * Invariants: a stub is read or refused with a message; every shard read is
 * local with a path or remote with a host and a port in 1..65535. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "archive.h"

static char path[64];

static void cleanup(void)
{
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/fuzz-archive-%d.stub", (int)getpid());
        atexit(cleanup);
    }
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    idx_archive a;
    idx_err err;
    idx_err_clear(&err);
    if (idx_archive_read(path, &a, &err) == IDX_OK) {
        for (size_t i = 0; i < a.nshards; i++) {
            const idx_shard *s = &a.shards[i];
            if (!s->name) abort();
            if (s->kind == IDX_SHARD_LOCAL && !s->path) abort();
            if (s->kind == IDX_SHARD_REMOTE && (!s->host || s->port < 1 || s->port > 65535)) abort();
        }
        idx_archive_fini(&a);
    } else if (!err.msg[0]) {
        abort();
    }
    return 0;
}
