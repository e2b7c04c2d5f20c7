/* The personal config, setting by setting: each value within its limits is
 * taken, each outside or of the wrong type is refused at its FILE:LINE with
 * the limit; and a saved device replaces the value where it stands, past
 * comments and strings on the line, keeping the rest of the line. */
#include "render_util.h"
#include "check.h"
#include "userconf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[256], path[512];

static void put(const char *text)
{
    write_text(path, text);
}

static void refused(const char *text, const char *want)
{
    struct userconf u;
    char err[1024] = "";
    put(text);
    CHECK(userconf_load(path, &u, err, sizeof err) == -1, "refused: %s", text);
    char full[1100];
    snprintf(full, sizeof full, "%s:%s", path, want);
    CHECK(strstr(err, full) != NULL, "message \"%s\" (wanted \"%s\")", err, full);
}

static void test_values(void)
{
    struct userconf u;
    char err[1024] = "";
    put("device = \"usb\";\nvolume = -3;\nvoice = \"de\";\ntempo_scale = 0.9;\n"
        "latency = 0.08;\nmpris = false;\npause_others = false;\nprompt_silence = 2;\n"
        "away = 600.5;\nmono = true;\nbalance = -0.25;\n");
    CHECK(userconf_load(path, &u, err, sizeof err) == 0, "all settings: %s", err);
    CHECK(strcmp(u.device, "usb") == 0, "device %s", u.device);
    CHECK(u.volume_db == -3.0, "volume %g", u.volume_db);
    CHECK(strcmp(u.voice, "de") == 0 && !u.voice_off, "voice %s", u.voice);
    CHECK(u.tempo_scale == 0.9, "tempo_scale %g", u.tempo_scale);
    CHECK(u.latency == 0.08, "latency %g", u.latency);
    CHECK(u.mpris == 0 && u.pause_others == 0, "mpris %d pause_others %d", u.mpris,
          u.pause_others);
    CHECK(u.prompt_silence == 2.0, "prompt_silence %g", u.prompt_silence);
    CHECK(u.away == 600.5, "away %g", u.away);
    CHECK(u.mono == 1 && u.balance == -0.25, "mono %d balance %g", u.mono, u.balance);

    put("voice = \"off\";\n");
    CHECK(userconf_load(path, &u, err, sizeof err) == 0 && u.voice_off && u.voice[0] == '\0',
          "voice off: %s", err);

    /* An empty file: the defaults. */
    put("# nothing set\n");
    CHECK(userconf_load(path, &u, err, sizeof err) == 0, "empty: %s", err);
    CHECK(u.tempo_scale == 1.0 && u.mpris == 1 && u.pause_others == 1 &&
              u.prompt_silence == USERCONF_PROMPT_SILENCE && u.away == USERCONF_AWAY &&
              u.device[0] == '\0' && u.mono == 0 && u.balance == 0.0,
          "defaults kept");

    /* Missing file: defaults, no error. */
    char gone[600];
    snprintf(gone, sizeof gone, "%s/none.cfg", dir);
    CHECK(userconf_load(gone, &u, err, sizeof err) == 0 && u.tempo_scale == 1.0,
          "missing file is no error");

    refused("voice = \"fr\";\n", "1: voice \"fr\" is not known (allowed: \"en\", \"de\", \"off\")");
    refused("\nvolume = 13.0;\n", "2: 'volume' is out of range (allowed: a number of dB, -40.0 to 12.0)");
    refused("volume = \"loud\";\n", "1: 'volume' has a wrong type (allowed: a number of dB");
    refused("tempo_scale = 2.5;\n", "1: 'tempo_scale' is out of range (allowed: a number, 0.5 to 2.0)");
    refused("latency = 0.01;\n", "1: 'latency' is out of range (allowed: seconds, 0.02 to 2.0)");
    refused("mpris = 1;\n", "1: 'mpris' has a wrong type (allowed: true or false)");
    refused("pause_others = \"no\";\n", "1: 'pause_others' has a wrong type (allowed: true or false)");
    refused("prompt_silence = 11;\n", "1: 'prompt_silence' is out of range (allowed: seconds, 0 to 10.0)");
    refused("away = 0.5;\n", "1: 'away' is out of range (allowed: seconds, 1 to 86400)");
    refused("mono = 1;\n", "1: 'mono' has a wrong type (allowed: true or false)");
    refused("balance = 1.5;\n", "1: 'balance' is out of range (allowed: a number, -1.0 (left only) to 1.0 (right only))");
    refused("device = 3;\n", "1: 'device' has a wrong type (allowed: a name in quotes");
    refused("voice = 1;\n", "1: 'voice' has a wrong type");
    refused("a = 1;\ncolour = \"red\";\n", "1: unknown setting 'a' (allowed: device, volume, voice,");

    /* Binary data and a syntax error. */
    FILE *f = fopen(path, "w");
    fwrite("volume = 1;\n\0\n", 1, 14, f);
    fclose(f);
    CHECK(userconf_load(path, &u, err, sizeof err) == -1 &&
              strstr(err, "holds binary data (it is a text file)"),
          "binary: %s", err);
    put("volume = ;\n");
    CHECK(userconf_load(path, &u, err, sizeof err) == -1 && strstr(err, path), "syntax: %s",
          err);
}

static void saved(const char *before, const char *device, const char *after)
{
    char err[1024] = "";
    put(before);
    CHECK(userconf_save_device(path, device, err, sizeof err) == 0, "save into %s: %s", before,
          err);
    CHECK(strcmp(read_text(path), after) == 0, "after save: \"%s\" (wanted \"%s\")", read_text(path), after);
}

static void test_save(void)
{
    saved("/* old */ device = \"a\"; # keep\n", "b", "/* old */ device = \"b\"; # keep\n");
    saved("name = \"device = x\"; device = \"a\";\n", "b",
          "name = \"device = x\"; device = \"b\";\n");
    saved("device : \"a\" \"c\";\n", "b", "device : \"b\";\n");
    saved("my_device = 1;\ndevice = \"a\";\n", "b", "my_device = 1;\ndevice = \"b\";\n");
    saved("volume = 1;", "b",
          "volume = 1;\ndevice = \"b\";  # the last device chosen with --device\n");

    char err[1024] = "";
    put("device = \"a\";\n");
    CHECK(userconf_save_device(path, "say \"hi\"", err, sizeof err) == -1 &&
              strstr(err, "a device name with quotes or backslashes is not saved"),
          "quotes refused: %s", err);
    CHECK(userconf_save_device(path, "a\\b", err, sizeof err) == -1, "backslash refused");
    CHECK(strcmp(read_text(path), "device = \"a\";\n") == 0, "file untouched");
    put("device = ;\n");
    CHECK(userconf_save_device(path, "b", err, sizeof err) == -1 &&
              strstr(err, "(the device is not saved)"),
          "a broken file is not rewritten: %s", err);
    CHECK(strcmp(read_text(path), "device = ;\n") == 0, "broken file untouched");

    /* A new file in a folder that does not exist yet. */
    char deep[700];
    snprintf(deep, sizeof deep, "%s/new/sub/calfpace.cfg", dir);
    CHECK(userconf_save_device(deep, "pulse", err, sizeof err) == 0, "new folders: %s", err);
    struct userconf u;
    CHECK(userconf_load(deep, &u, err, sizeof err) == 0 && strcmp(u.device, "pulse") == 0,
          "read back: %s", u.device);
}

int main(void)
{
    tmp_dir(dir, sizeof dir, "userconf");
    snprintf(path, sizeof path, "%s/calfpace.cfg", dir);
    test_values();
    test_save();
    if (tmp_cleanup(dir) != 0)
        return 1;
    return CHECK_DONE("test_userconf_load");
}
