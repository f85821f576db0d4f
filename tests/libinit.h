/*
 * libinit.h - what cli/main.c does once for the process, for the unit tests
 * that reach libcurl (the LLM client) or libgit2 (the archive): call
 * test_libs_init() first in main; the cleanup runs at exit.
 */
#ifndef AID_TEST_LIBINIT_H
#define AID_TEST_LIBINIT_H

#include <curl/curl.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>

static void test_libs_cleanup(void)
{
    git_libgit2_shutdown();
    curl_global_cleanup();
}

static inline void test_libs_init(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || git_libgit2_init() < 0) {
        fputs("Bail out! libcurl or libgit2 could not be initialised\n", stdout);
        exit(1);
    }
    atexit(test_libs_cleanup);
}

#endif
