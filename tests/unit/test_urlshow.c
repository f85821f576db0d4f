#include "tap.h"
#include "common/urlshow.h"

int main(void)
{
    char b[256];
    urlshow("https://x-access-token:ghp_SECRET@github.com/acme/archive.git", b, sizeof b);
    is_str(b, "https://github.com/acme/archive.git", "user and token removed");
    urlshow("smtps://bot:pw@mail.example.com:465", b, sizeof b);
    is_str(b, "smtps://mail.example.com:465", "SMTP login removed");
    urlshow("https://example.com/a@b", b, sizeof b);
    is_str(b, "https://example.com/a@b", "an @ in the path is left alone");
    urlshow("/srv/git/archive.git", b, sizeof b);
    is_str(b, "/srv/git/archive.git", "a path is shown as it is");
    urlshow("https://u:p@h/x", b, 8);
    is_str(b, "https:/", "always terminated, however small the buffer");
    return tap_done();
}
