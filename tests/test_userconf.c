/* The personal config: --device written back in place wherever it stands,
 * never a second device line, never through an include; a symlinked config
 * stays a link, the file keeps its mode; hostile includes fail fast. */
#include "render_util.h"
#include "check.h"
#include "userconf.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];


static int count(const char *text, const char *word)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, word)); p += strlen(word))
        n++;
    return n;
}

int main(void)
{
    tmp_dir(dir, sizeof dir, "userconf");
    char path[512], part[512], err[1024];
    struct userconf u;
    snprintf(path, sizeof path, "%s/calfpace.cfg", dir);
    snprintf(part, sizeof part, "%s/part.cfg", dir);

    /* device on one line with another setting: replaced in place. */
    write_text(path, "# mine\nvolume = -3.0; device = \"old\"; voice = \"de\";\nlatency = 0.1;\n");
    CHECK(userconf_save_device(path, "pulse", err, sizeof err) == 0, "save: %s", err);
    const char *t = read_text(path);
    CHECK(count(t, "device =") == 1 && strstr(t, "volume = -3.0; device = \"pulse\"; voice = \"de\";"),
          "one device, in place: %s", t);
    CHECK(userconf_load(path, &u, err, sizeof err) == 0 && strcmp(u.device, "pulse") == 0 &&
              u.volume_db == -3.0,
          "loads after the save: %s", err);
    /* Twice more: still one device. */
    CHECK(userconf_save_device(path, "hdmi", err, sizeof err) == 0 &&
              userconf_save_device(path, "usb", err, sizeof err) == 0 &&
              count(read_text(path), "device =") == 1 && userconf_load(path, &u, err, sizeof err) == 0 &&
              strcmp(u.device, "usb") == 0,
          "three saves, one device line: %s", read_text(path));

    /* Spread over lines, with a comment naming device before it. */
    write_text(path, "# device = \"not this\";\nvolume = 1.0;\ndevice =\n  \"a\" \"b\";\n");
    CHECK(userconf_save_device(path, "c", err, sizeof err) == 0 &&
              strcmp(read_text(path), "# device = \"not this\";\nvolume = 1.0;\ndevice =\n  \"c\";\n") == 0,
          "a value on the next line: %s", read_text(path));

    /* In an include: refused, both files unchanged. */
    write_text(part, "device = \"inc\";\n");
    write_text(path, "@include \"part.cfg\"\nvolume = 1.0;\n");
    CHECK(userconf_save_device(path, "x", err, sizeof err) == -1 &&
              strstr(err, "part.cfg:1: device is set in a file the config includes"),
          "device in an include is left alone: %s", err);
    CHECK(strcmp(read_text(part), "device = \"inc\";\n") == 0 &&
              strcmp(read_text(path), "@include \"part.cfg\"\nvolume = 1.0;\n") == 0,
          "both files unchanged");

    /* No device yet: one line added; a missing file is created. */
    write_text(path, "volume = 1.0;");
    CHECK(userconf_save_device(path, "new", err, sizeof err) == 0 &&
              userconf_load(path, &u, err, sizeof err) == 0 && strcmp(u.device, "new") == 0 &&
              count(read_text(path), "device =") == 1,
          "added to a file without a final newline: %s", read_text(path));
    unlink(path);
    CHECK(userconf_save_device(path, "fresh", err, sizeof err) == 0 &&
              userconf_load(path, &u, err, sizeof err) == 0 && strcmp(u.device, "fresh") == 0,
          "a missing config is created: %s", err);

    /* A symlink stays a link; the target keeps its mode. */
    char target[512];
    snprintf(target, sizeof target, "%s/real.cfg", dir);
    write_text(target, "device = \"one\";\n");
    chmod(target, 0640);
    unlink(path);
    if (symlink("real.cfg", path) != 0)
        perror("symlink");
    CHECK(userconf_save_device(path, "two", err, sizeof err) == 0, "save through a link: %s", err);
    struct stat st;
    CHECK(lstat(path, &st) == 0 && S_ISLNK(st.st_mode), "the config is still a symlink");
    CHECK(stat(target, &st) == 0 && (st.st_mode & 0777) == 0640 &&
              strcmp(read_text(target), "device = \"two\";\n") == 0,
          "the target written, mode 0640 kept (mode %o): %s", st.st_mode & 0777, read_text(target));

    /* A file that ends inside a string: libconfig reads it, but an added
     * line would be swallowed; refused, the file unchanged (found by
     * fuzz_userconf). */
    write_text(path, "\";# ");
    CHECK(userconf_save_device(path, "z", err, sizeof err) == -1 &&
              strstr(err, "cannot be added without breaking the file") &&
              strcmp(read_text(path), "\";# ") == 0,
          "a file ending inside a string is left as it is: %s", err);

    /* A broken config is not rewritten. */
    unlink(path);
    write_text(path, "device = \"x\"\nvolume 1;\n");
    CHECK(userconf_save_device(path, "y", err, sizeof err) == -1 &&
              strstr(err, "calfpace.cfg:2: syntax error") &&
              strcmp(read_text(path), "device = \"x\"\nvolume 1;\n") == 0,
          "a broken config is left as it is: %s", err);

    /* Hostile includes fail at once with the file and what it is. */
    char fifo[512];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    mkfifo(fifo, 0600);
    write_text(path, "@include \"fifo\"\n");
    CHECK(userconf_load(path, &u, err, sizeof err) == -1 && strstr(err, "the included file is a FIFO"),
          "an included FIFO: %s", err);
    write_text(path, "@include \"calfpace.cfg\"\n@include \"calfpace.cfg\"\n");
    CHECK(userconf_load(path, &u, err, sizeof err) == -1 && strstr(err, "nesting too deep"),
          "a config including itself: %s", err);

    printf("userconf: device replaced in place (shared line, next line, three saves), refused in "
           "an include, appended, created; a link stays a link with its mode; FIFO and "
           "self-include refused\n");
    if (tmp_cleanup(dir) != 0)
        return 1;
    return CHECK_DONE("test_userconf");
}
