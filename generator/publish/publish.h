/*
 * publish/publish.h - the publish stage's public header: the git archive
 * (commit and push, libgit2) and the managers' e-mail (SMTP, libcurl).
 */
#ifndef AID_PUBLISH_H
#define AID_PUBLISH_H

#include "publish/archive.h"
#include "publish/mail.h"

#endif
