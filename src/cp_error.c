#include "cp_error.h"

#include <stdarg.h>
#include <stdio.h>

void cp_error_clear(struct cp_error *e)
{
    e->kind = CP_OK;
    e->msg[0] = '\0';
}

int cp_fail(struct cp_error *e, enum cp_err_kind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->kind = kind;
    return -1;
}

/* No default: a kind added without a name is a compiler warning. */
const char *cp_err_kind_name(enum cp_err_kind kind)
{
    switch (kind) {
    case CP_OK:
        return "ok";
    case CP_BAD_INPUT:
        return "bad input";
    case CP_RUNTIME:
        return "runtime";
    case CP_INTERRUPTED:
        return "interrupted";
    }
    return "unknown";
}
