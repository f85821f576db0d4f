/*
 * publish/publish.h - the publish stage's public header: the git archive
 * (commit and push, libgit2), the managers' e-mail (SMTP, libcurl) and
 * the weekly_ai_reports table in a database (libpq, libsqlite3).
 */
#ifndef AID_PUBLISH_H
#define AID_PUBLISH_H

#include "publish/archive.h"
#include "publish/db.h"
#include "publish/mail.h"

#endif
