#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "tap.h"

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

int main(void)
{
    aid_config c;
    aid_errbuf eb = { { 0 } };
    const char *path = "/tmp/aidigest-test-config.conf";
    unsetenv("AIDIGEST_LLM_MODEL");
    unsetenv("AIDIGEST_MAIL_TO");
    unsetenv("AIDIGEST_LLM_TIMEOUT_MS");
    unsetenv("OPENAI_API_KEY");
    unsetenv("AIDIGEST_GIT_OWNER_VALIDATION");

    write_file(path, "# a comment\n\nllm_model = gpt-test   # trailing comment\n"
                     "mail_to = \"a@example.com, b@example.com\"\nLLM_TIMEOUT_MS=1500\n");
    is_int(config_load(&c, path, &eb), AID_OK, "a valid file loads");
    is_str(c.llm_model, "gpt-test", "a value, trailing comment removed");
    is_str(c.mail_to, "a@example.com, b@example.com", "a quoted value");
    is_int(c.llm_timeout_ms, 1500, "a number; keys are case-insensitive");
    is_str(c.llm_base_url, "https://api.openai.com/v1", "defaults stay");
    is_int(c.llm_max_attempts, 4, "default attempts");
    ok(c.llm_api_key == NULL, "no key unless the environment has one");
    config_release(&c);

    setenv("AIDIGEST_LLM_MODEL", "from-env", 1);
    setenv("OPENAI_API_KEY", "sk-test", 1);
    is_int(config_load(&c, path, &eb), AID_OK, "loads with the environment set");
    is_str(c.llm_model, "from-env", "the environment wins over the file");
    is_str(c.llm_api_key, "sk-test", "the key comes from the environment");
    config_release(&c);
    unsetenv("AIDIGEST_LLM_MODEL");
    unsetenv("OPENAI_API_KEY");

    write_file(path, "llm_model = x\nsmtp_password = hunter2\n");
    is_int(config_load(&c, path, &eb), AID_ERR_CONFIG, "a secret in the file is refused");
    ok(strstr(eb.msg, ":2:") && strstr(eb.msg, "AIDIGEST_SMTP_PASSWORD") && !strstr(eb.msg, "hunter2"),
       "naming file:line and the variable, never the secret: %s", eb.msg);

    write_file(path, "no equals sign here\n");
    is_int(config_load(&c, path, &eb), AID_ERR_CONFIG, "a line without = is an error");
    ok(strstr(eb.msg, path) && strstr(eb.msg, ":1:"), "naming file:line: %s", eb.msg);

    write_file(path, "colour = blue\n");
    is_int(config_load(&c, path, &eb), AID_ERR_CONFIG, "an unknown key is an error");
    ok(strstr(eb.msg, "colour") != NULL, "naming it: %s", eb.msg);

    write_file(path, "llm_max_attempts = many\n");
    is_int(config_load(&c, path, &eb), AID_ERR_CONFIG, "a number that is not one is an error");

    is_int(config_load(&c, "/nonexistent/aidigest.conf", &eb), AID_ERR_CONFIG, "a missing --config file is an error");

    write_file(path, "\xef\xbb\xbfllm_model = bom-model\r\nteam = Crew\r\n");
    is_int(config_load(&c, path, &eb), AID_OK, "a file saved with a BOM and CRLF loads");
    is_str(c.llm_model, "bom-model", "its first key is read");
    is_str(c.team_name, "Crew", "CR removed");
    config_release(&c);

    write_file(path, "");
    is_int(config_load(&c, path, &eb), AID_OK, "an empty file loads");
    ok(!c.git_owner_validation_off, "libgit2's owner validation is on by default");
    config_release(&c);
    write_file(path, "git_owner_validation = off\n");
    is_int(config_load(&c, path, &eb), AID_OK, "git_owner_validation = off loads");
    ok(c.git_owner_validation_off, "and turns it off");
    config_release(&c);
    setenv("AIDIGEST_GIT_OWNER_VALIDATION", "1", 1);
    is_int(config_load(&c, path, &eb), AID_OK, "AIDIGEST_GIT_OWNER_VALIDATION=1 loads");
    ok(!c.git_owner_validation_off, "the environment wins: on again");
    config_release(&c);
    setenv("AIDIGEST_GIT_OWNER_VALIDATION", "No", 1);
    is_int(config_load(&c, NULL, &eb), AID_OK, "AIDIGEST_GIT_OWNER_VALIDATION=No loads");
    ok(c.git_owner_validation_off, "any case of no/off/false/0 is off");
    config_release(&c);
    setenv("AIDIGEST_GIT_OWNER_VALIDATION", "maybe", 1);
    is_int(config_load(&c, NULL, &eb), AID_ERR_CONFIG, "a value that is neither on nor off is an error");
    ok(strstr(eb.msg, "AIDIGEST_GIT_OWNER_VALIDATION") && strstr(eb.msg, "maybe"), "naming it: %s", eb.msg);
    unsetenv("AIDIGEST_GIT_OWNER_VALIDATION");

    write_file(path, "");
    is_int(config_load(&c, path, &eb), AID_OK, "an empty file loads");
    ok(!c.publish_agents, "agents are not published by default");
    config_release(&c);
    write_file(path, "publish_agents = TRUE\n");
    is_int(config_load(&c, path, &eb), AID_OK, "publish_agents = TRUE loads");
    ok(c.publish_agents, "and publishes them");
    config_release(&c);
    setenv("AIDIGEST_PUBLISH_AGENTS", "off", 1);
    is_int(config_load(&c, path, &eb), AID_OK, "AIDIGEST_PUBLISH_AGENTS=off loads");
    ok(!c.publish_agents, "the environment wins: not published");
    config_release(&c);
    setenv("AIDIGEST_PUBLISH_AGENTS", "sometimes", 1);
    is_int(config_load(&c, NULL, &eb), AID_ERR_CONFIG, "publish_agents neither on nor off is an error");
    ok(strstr(eb.msg, "publish_agents") && strstr(eb.msg, "sometimes"), "naming it: %s", eb.msg);
    unsetenv("AIDIGEST_PUBLISH_AGENTS");
    /* the alert thresholds: documented defaults, numbers in range or off */
    static const char *const alert_env[] = { "AIDIGEST_ALERT_ACCEPTANCE_DROP", "AIDIGEST_ALERT_ECE",
                                             "AIDIGEST_ALERT_DRIFT", "AIDIGEST_ALERT_PROMPT_DROP",
                                             "AIDIGEST_ALERT_NEW_REJECTED" };
    for (size_t i = 0; i < sizeof alert_env / sizeof *alert_env; i++)
        unsetenv(alert_env[i]);
    write_file(path, "");
    is_int(config_load(&c, path, &eb), AID_OK, "an empty file loads (alerts)");
    ok(c.alert_acceptance_drop == 5 && c.alert_ece == 0.15 && c.alert_drift == CONFIG_DRIFT_LARGE &&
       c.alert_prompt_drop == 0 && c.alert_new_rejected == 0.5, "alert defaults 5, 0.15, large, 0, 0.5");
    config_release(&c);
    write_file(path, "alert_acceptance_drop = 7.5\nalert_ece = OFF\nalert_drift = small\n"
                     "alert_prompt_drop = off\nalert_new_rejected = 1\n");
    is_int(config_load(&c, path, &eb), AID_OK, "alert settings load");
    ok(c.alert_acceptance_drop == 7.5 && isnan(c.alert_ece) && c.alert_drift == CONFIG_DRIFT_SMALL &&
       isnan(c.alert_prompt_drop) && c.alert_new_rejected == 1, "a number, off (any case) as NAN, small, 1");
    config_release(&c);
    setenv("AIDIGEST_ALERT_DRIFT", "off", 1);
    setenv("AIDIGEST_ALERT_ECE", "0.3", 1);
    is_int(config_load(&c, path, &eb), AID_OK, "with AIDIGEST_ALERT_* set");
    ok(c.alert_drift == CONFIG_DRIFT_OFF && c.alert_ece == 0.3, "the environment wins over the file");
    config_release(&c);
    unsetenv("AIDIGEST_ALERT_DRIFT");
    unsetenv("AIDIGEST_ALERT_ECE");
    static const char *const bad[] = { "alert_ece = 1.01\n", "alert_new_rejected = -0.1\n",
                                       "alert_acceptance_drop = 101\n", "alert_prompt_drop = 5pp\n",
                                       "alert_drift = medium\n", "alert_ece = nan\n", "alert_ece =\n" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        write_file(path, bad[i]);
        is_int(config_load(&c, path, &eb), AID_ERR_CONFIG, "refused: %.*s", (int)strlen(bad[i]) - 1, bad[i]);
        ok(strstr(eb.msg, ":1:") && strstr(eb.msg, "alert_"), "naming file:line and the key: %s", eb.msg);
    }

    strbuf d = STRBUF_INIT;
    memset(&c, 0, sizeof c);
    c.templates_dir = "/somewhere/templates";
    ok(config_templates_dir(&c, &d) == 0 && !strcmp(d.buf, "/somewhere/templates"), "templates dir: the setting first");
    ok(config_templates_dir(NULL, &d) == 0 && strstr(d.buf, "templates"), "else one found from the executable: %s", d.buf);
    strbuf_release(&d);
    remove(path);
    return tap_done();
}
