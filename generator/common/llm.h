/*
 * llm.h - a client for OpenAI-compatible chat completions
 * (POST {AIDIGEST_LLM_BASE_URL}/chat/completions), and for the two calls
 * that start a fine-tuning job: a file upload (POST {base}/files) and the
 * job (POST {base}/fine_tuning/jobs).
 *
 *   llm_client *c;
 *   err = llm_client_new(&c, cfg, "out/.cache/llm", &eb);
 *   llm_message m[] = { { "system", sys }, { "user", prompt } };
 *   llm_request rq = { m, 2, "weekly_summary", schema_json };
 *   char *text; bool cached;
 *   if (llm_chat(c, &rq, &text, &cached, &eb) == AID_OK) { ...; free(text); }
 *   llm_client_free(c);
 *
 * Transport (every call): libcurl, connect timeout min(10 s, llm_timeout_ms), total
 * timeout llm_timeout_ms per attempt. Up to llm_max_attempts attempts: a
 * timeout, a failed connection, HTTP 408, 409, 429 or 5xx, or an answer
 * that is not JSON is retried after an exponential back-off with jitter
 * (base AIDIGEST_LLM_BACKOFF_MS, default 500 ms, doubled each attempt, capped
 * at 30 s), or after the server's retry-after-ms / Retry-After when longer
 * (capped at 120 s). Other HTTP errors end at once (401/403: AID_ERR_AUTH).
 * One deadline for all requests of a client (a run): llm_deadline_ms
 * (AIDIGEST_LLM_DEADLINE_MS, default 5 minutes) from llm_client_new. An
 * attempt's timeout is cut to what is left, no attempt starts past it, and
 * a wait that would end past it (a long Retry-After) ends the attempts at
 * once.
 * A 400 that names response_format is retried once without it (servers
 * without structured output).
 *
 * The answer: choices[0].message.content. A refusal (message.refusal or
 * finish_reason "content_filter") and a truncated answer (finish_reason
 * "length") are AID_ERR_LLM and are not retried.
 *
 * Cache: with a cache directory, a successful answer is stored in
 * <cache_dir>/<sha256>.json, the hash taken over the exact request body
 * (model, messages, schema; never the key or the URL, so a moved server
 * keeps its cache). The same request later is answered from there without
 * any network access.
 *
 * Files and jobs share the transport, retries and error texts above (the
 * error prefix names the call: "llm upload: HTTP 401: ..."); they are never
 * cached. A 2xx answer that is not a JSON object is retried; one without
 * an "id" is AID_ERR_HTTP.
 *
 * Secrets: the API key goes only into the Authorization header. Error
 * texts are one line and never contain it (server messages are scrubbed).
 * Nothing is printed.
 *
 * The program calls curl_global_init once before using this client (cli/main.c
 * does; unit tests through tests/libinit.h).
 */
#ifndef AID_LLM_H
#define AID_LLM_H

#include <stdbool.h>
#include <stddef.h>

#include "common/config.h"
#include "common/err.h"

typedef struct llm_client llm_client;

typedef struct llm_message {
    const char *role;     /* "system", "user", "assistant" */
    const char *content;
} llm_message;

typedef struct llm_request {
    const llm_message *messages;
    size_t nmessages;
    const char *schema_name;  /* NULL: free text answer */
    const char *schema_json;  /* a JSON schema (text) for response_format json_schema */
} llm_request;

/* A client for cfg's base URL, model and key (cfg must outlive it) in
 * *out. cache_dir may be NULL (no cache); it is created when first written.
 * AID_ERR_CONFIG when cfg has no API key, AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err llm_client_new(llm_client **out, const aid_config *cfg, const char *cache_dir,
                                      aid_errbuf *eb);
void llm_client_free(llm_client *c);

/* Send one request. On AID_OK *content is the answer text (malloc'd, the
 * caller frees) and *from_cache (may be NULL) says whether it came from
 * the cache. Errors: AID_ERR_NETWORK (timeout, connection), AID_ERR_HTTP,
 * AID_ERR_AUTH, AID_ERR_LLM (malformed, refused, truncated, empty). */
AID_MUST_CHECK aid_err llm_chat(llm_client *c, const llm_request *req, char **content, bool *from_cache,
                 aid_errbuf *eb);

/* Upload a file as it is: POST {base}/files, a multipart form with
 * purpose=<purpose> (e.g. "fine-tune") and file=<the file's bytes, named
 * by its base name>. On AID_OK *file_id is the server's id ("file-..."),
 * malloc'd, the caller frees. Errors as llm_chat (AID_ERR_IO when the
 * file cannot be read). */
AID_MUST_CHECK aid_err llm_upload_file(llm_client *c, const char *path, const char *purpose, char **file_id,
                        aid_errbuf *eb);

/* Create a fine-tuning job: POST {base}/fine_tuning/jobs with
 * {"training_file", "validation_file", "model", "suffix"} (validation_file
 * and suffix may be NULL: none). On
 * AID_OK *job_id ("ftjob-...") and *status (the server's, e.g.
 * "validating_files"; "unknown" when it sent none) are malloc'd, the
 * caller frees both. */
AID_MUST_CHECK aid_err llm_create_finetune_job(llm_client *c, const char *training_file,
                                const char *validation_file, const char *model, const char *suffix,
                                char **job_id, char **status, aid_errbuf *eb);

/* How many HTTP requests this client has sent (for tests and the log). */
int llm_client_requests(const llm_client *c);

#endif
