/* sim/main.c: the cossim command. */
#include "cli.h"

int main(int argc, char **argv)
{
    return simcli_main(argc, argv);
}
