/* Placeholder until the template engine lands (issue 3). */
#include <stdio.h>

#include "tmplcli.h"

int tmplcli_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("aidigest: template: the template engine is not built yet\n", stderr);
    return 2;
}
