/* safefile, each promise of its header checked on real files: reads refuse
 * anything but a bounded regular file and say what it is; the own-folder
 * check refuses links, files and folders others may write; a replace keeps
 * the old mode, writes through a link only when asked, and leaves the file
 * as it was when it fails; append never follows a dangling link. */
#include "render_util.h"
#include "check.h"
#include "safefile.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static char dir[256];

static void put(const char *path, const char *text)
{
    write_text(path, text);
}

static void test_kind(void)
{
    CHECK(strcmp(safefile_kind(S_IFREG), "a regular file") == 0, "regular");
    CHECK(strcmp(safefile_kind(S_IFDIR), "a folder") == 0, "folder");
    CHECK(strcmp(safefile_kind(S_IFIFO), "a FIFO") == 0, "fifo");
    CHECK(strcmp(safefile_kind(S_IFCHR), "a character device") == 0, "chr");
    CHECK(strcmp(safefile_kind(S_IFBLK), "a block device") == 0, "blk");
    CHECK(strcmp(safefile_kind(S_IFSOCK), "a socket") == 0, "sock");
    CHECK(strcmp(safefile_kind(S_IFLNK), "a symbolic link") == 0, "link");
    CHECK(strcmp(safefile_kind(0), "not a regular file") == 0, "other");
}

static void test_read(void)
{
    char path[512], err[1024];
    char *text;
    size_t len;
    int missing = -1;

    snprintf(path, sizeof path, "%s/r.txt", dir);
    put(path, "hello\n");
    CHECK(safefile_read(path, 100, "routine", &text, &len, &missing, err, sizeof err) == 0,
          "read: %s", err);
    CHECK(text && len == 6 && strcmp(text, "hello\n") == 0, "contents read whole");
    CHECK(missing == 0, "not missing");
    free(text);

    /* Exactly at the limit is allowed; one byte past is refused. */
    CHECK(safefile_read(path, 6, "routine", &text, &len, NULL, err, sizeof err) == 0,
          "6 bytes at a limit of 6: %s", err);
    free(text);
    CHECK(safefile_read(path, 5, "routine", &text, &len, NULL, err, sizeof err) == -1,
          "6 bytes over a limit of 5 refused");
    CHECK(strstr(err, "the routine is 6 bytes (allowed: at most 5)") != NULL, "says sizes: %s",
          err);
    CHECK(text == NULL && len == 0, "nothing handed back on failure");

    /* Missing: the flag is set and the message names the file. */
    snprintf(path, sizeof path, "%s/none.txt", dir);
    CHECK(safefile_read(path, 100, "sound", &text, &len, &missing, err, sizeof err) == -1,
          "missing file refused");
    CHECK(missing == 1, "missing flagged");
    CHECK(strncmp(err, path, strlen(path)) == 0 && strstr(err, "cannot read the sound"),
          "message: %s", err);

    /* A FIFO with no writer: refused at once, named. */
    snprintf(path, sizeof path, "%s/fifo", dir);
    CHECK(mkfifo(path, 0600) == 0, "mkfifo");
    CHECK(safefile_read(path, 100, "routine", &text, &len, &missing, err, sizeof err) == -1,
          "FIFO refused");
    CHECK(strstr(err, "is a FIFO (allowed: a regular file)") != NULL, "FIFO named: %s", err);
    CHECK(missing == 0, "a FIFO is not missing");

    /* A folder. */
    CHECK(safefile_open_read(dir, 100, "routine", NULL, NULL, err, sizeof err) == -1,
          "folder refused");
    CHECK(strstr(err, "is a folder") != NULL, "folder named: %s", err);

    /* A character device. */
    CHECK(safefile_open_read("/dev/null", 100, "sound", NULL, NULL, err, sizeof err) == -1,
          "device refused");
    CHECK(strstr(err, "is a character device") != NULL, "device named: %s", err);

    /* The fd handed back is blocking and gives the size. */
    long long size = -1;
    snprintf(path, sizeof path, "%s/r.txt", dir);
    int fd = safefile_open_read(path, 100, "routine", &size, NULL, err, sizeof err);
    CHECK(fd >= 0 && size == 6, "open_read fd %d size %lld", fd, size);
    if (fd >= 0) {
        CHECK(!(fcntl(fd, F_GETFL) & O_NONBLOCK), "fd is blocking again");
        CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC, "fd is close-on-exec");
        close(fd);
    }

    /* An empty file reads as "". */
    snprintf(path, sizeof path, "%s/empty", dir);
    put(path, "");
    CHECK(safefile_read(path, 100, "routine", &text, &len, NULL, err, sizeof err) == 0 &&
              len == 0 && text && text[0] == '\0',
          "empty file reads empty");
    free(text);
}

static void test_own_dir(void)
{
    char path[512], err[1024];
    struct stat st;

    snprintf(path, sizeof path, "%s/own", dir);
    CHECK(safefile_own_dir(path, err, sizeof err) == 0, "created: %s", err);
    CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700,
          "created 0700 (%o)", (unsigned)(st.st_mode & 0777));
    CHECK(safefile_own_dir(path, err, sizeof err) == 0, "existing own folder: %s", err);

    chmod(path, 0777);
    CHECK(safefile_own_dir(path, err, sizeof err) == -1, "world-writable refused");
    CHECK(strstr(err, "others may write to the folder (mode 777") != NULL, "says mode: %s", err);
    chmod(path, 0720);
    CHECK(safefile_own_dir(path, err, sizeof err) == -1, "group-writable refused");
    chmod(path, 0700);

    char link[512];
    snprintf(link, sizeof link, "%s/ownlink", dir);
    CHECK(symlink(path, link) == 0, "symlink");
    CHECK(safefile_own_dir(link, err, sizeof err) == -1, "a link to a folder refused");
    CHECK(strstr(err, "is a symbolic link (allowed: a folder of your own)") != NULL, "%s", err);

    char file[512];
    snprintf(file, sizeof file, "%s/plain", dir);
    put(file, "x");
    CHECK(safefile_own_dir(file, err, sizeof err) == -1, "a file refused");
    CHECK(strstr(err, "is a regular file") != NULL, "%s", err);

    /* Its parent does not exist: cannot create. */
    snprintf(path, sizeof path, "%s/no/such", dir);
    CHECK(safefile_own_dir(path, err, sizeof err) == -1, "missing parent refused");
    CHECK(strstr(err, "cannot create the folder") != NULL, "%s", err);

    /* A folder owned by someone else (root's /), when we are not root. */
    if (geteuid() != 0) {
        CHECK(safefile_own_dir("/", err, sizeof err) == -1, "root's folder refused");
        CHECK(strstr(err, "belongs to user 0") != NULL, "%s", err);
    }
}

static void test_replace(void)
{
    char path[512], err[1024];
    struct stat st;

    /* New file: given MODE. */
    snprintf(path, sizeof path, "%s/conf", dir);
    CHECK(safefile_replace(path, "one\n", 4, 0600, 0, err, sizeof err) == 0, "new: %s", err);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "new file 0600");
    CHECK(strcmp(read_text(path), "one\n") == 0, "contents one");

    /* Existing file: keeps its mode, not MODE. */
    chmod(path, 0640);
    CHECK(safefile_replace(path, "two\n", 4, 0600, 0, err, sizeof err) == 0, "over: %s", err);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640, "kept mode 0640 (%o)",
          (unsigned)(st.st_mode & 0777));
    CHECK(strcmp(read_text(path), "two\n") == 0, "contents two");

    /* A link with FOLLOW: the target is written and the link stays. */
    char link[512];
    snprintf(link, sizeof link, "%s/conflink", dir);
    CHECK(symlink("conf", link) == 0, "symlink");
    CHECK(safefile_replace(link, "three\n", 6, 0600, 1, err, sizeof err) == 0, "follow: %s",
          err);
    CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "link is still a link");
    CHECK(strcmp(read_text(path), "three\n") == 0, "target written through the link");

    /* A link without FOLLOW: the link itself is replaced, the target kept. */
    CHECK(safefile_replace(link, "four\n", 5, 0600, 0, err, sizeof err) == 0, "nofollow: %s",
          err);
    CHECK(lstat(link, &st) == 0 && S_ISREG(st.st_mode), "link replaced by a file");
    CHECK(strcmp(read_text(link), "four\n") == 0, "new file has the data");
    CHECK(strcmp(read_text(path), "three\n") == 0, "old target untouched");

    /* A dangling relative link with FOLLOW: its target is created beside it. */
    char dangling[512], made[512];
    snprintf(dangling, sizeof dangling, "%s/dang", dir);
    snprintf(made, sizeof made, "%s/dang-target", dir);
    CHECK(symlink("dang-target", dangling) == 0, "dangling symlink");
    CHECK(safefile_replace(dangling, "five\n", 5, 0600, 1, err, sizeof err) == 0,
          "dangling follow: %s", err);
    CHECK(lstat(dangling, &st) == 0 && S_ISLNK(st.st_mode), "dangling link still a link");
    const char *got = read_text(made);
    CHECK(strcmp(got, "five\n") == 0, "target created through the dangling link");

    /* A folder in the way: refused, named. */
    char sub[512];
    snprintf(sub, sizeof sub, "%s/afolder", dir);
    mkdir(sub, 0700);
    CHECK(safefile_replace(sub, "x", 1, 0600, 0, err, sizeof err) == -1, "folder refused");
    CHECK(strstr(err, "is a folder (allowed: a regular file)") != NULL, "%s", err);

    /* A folder we cannot write in: fails, and the file is as it was. */
    if (geteuid() != 0) {
        char ro[512], rofile[600];
        snprintf(ro, sizeof ro, "%s/ro", dir);
        mkdir(ro, 0700);
        snprintf(rofile, sizeof rofile, "%s/f", ro);
        put(rofile, "kept\n");
        chmod(ro, 0500);
        CHECK(safefile_replace(rofile, "lost\n", 5, 0600, 0, err, sizeof err) == -1,
              "read-only folder refused");
        CHECK(strstr(err, "cannot create a file beside it") != NULL, "%s", err);
        CHECK(strcmp(read_text(rofile), "kept\n") == 0, "file as it was");
        chmod(ro, 0700);
        /* No temporary left behind. */
        char cmd[700];
        snprintf(cmd, sizeof cmd, "test $(ls -A %s | wc -l) -eq 1", ro);
        CHECK(system(cmd) == 0, "no temporary file left in %s", ro);
    }

    /* A bare name is written in the current folder. */
    char cwd[512];
    CHECK(getcwd(cwd, sizeof cwd) != NULL, "getcwd");
    CHECK(chdir(dir) == 0, "chdir");
    CHECK(safefile_replace("bare", "six\n", 4, 0600, 0, err, sizeof err) == 0, "bare: %s", err);
    CHECK(chdir(cwd) == 0, "chdir back");
    snprintf(path, sizeof path, "%s/bare", dir);
    got = read_text(path);
    CHECK(strcmp(got, "six\n") == 0, "bare name written in the current folder");

    /* A file of someone else's, when we are not root. */
    if (geteuid() != 0 && access("/etc/hostname", F_OK) == 0) {
        char elink[512];
        snprintf(elink, sizeof elink, "%s/etclink", dir);
        CHECK(symlink("/etc/hostname", elink) == 0, "symlink to /etc");
        CHECK(safefile_replace(elink, "x", 1, 0600, 1, err, sizeof err) == -1,
              "another user's file refused");
        CHECK(strstr(err, "belongs to user") != NULL, "%s", err);
    }
}

static void test_append(void)
{
    char path[512], err[1024];
    struct stat st;

    snprintf(path, sizeof path, "%s/hist", dir);
    int fd = safefile_open_append(path, 0600, "history", err, sizeof err);
    CHECK(fd >= 0, "created: %s", err);
    if (fd >= 0) {
        CHECK(write(fd, "a\n", 2) == 2, "write");
        CHECK(!(fcntl(fd, F_GETFL) & O_NONBLOCK), "blocking");
        close(fd);
    }
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "created 0600");
    fd = safefile_open_append(path, 0600, "history", err, sizeof err);
    CHECK(fd >= 0, "reopened: %s", err);
    if (fd >= 0) {
        CHECK(write(fd, "b\n", 2) == 2, "write");
        close(fd);
    }
    CHECK(strcmp(read_text(path), "a\nb\n") == 0, "appended, not truncated: %s", read_text(path));

    /* A link to our own file is followed. */
    char link[512];
    snprintf(link, sizeof link, "%s/histlink", dir);
    CHECK(symlink("hist", link) == 0, "symlink");
    fd = safefile_open_append(link, 0600, "history", err, sizeof err);
    CHECK(fd >= 0, "link to own file: %s", err);
    if (fd >= 0) {
        CHECK(write(fd, "c\n", 2) == 2, "write");
        close(fd);
    }
    CHECK(strcmp(read_text(path), "a\nb\nc\n") == 0, "appended through the link");

    /* A dangling link is never followed to create its target. */
    char dang[512], target[512];
    snprintf(dang, sizeof dang, "%s/hdang", dir);
    snprintf(target, sizeof target, "%s/hdang-target", dir);
    CHECK(symlink("hdang-target", dang) == 0, "dangling symlink");
    CHECK(safefile_open_append(dang, 0600, "history", err, sizeof err) == -1,
          "dangling link refused");
    CHECK(strstr(err, "cannot write the history") != NULL, "%s", err);
    CHECK(access(target, F_OK) != 0, "no file created through the link");

    /* A folder or a FIFO. */
    CHECK(safefile_open_append(dir, 0600, "history", err, sizeof err) == -1, "folder refused");
    char fifo[512];
    snprintf(fifo, sizeof fifo, "%s/hfifo", dir);
    CHECK(mkfifo(fifo, 0600) == 0, "mkfifo");
    /* O_RDWR on a FIFO does not block. */
    CHECK(safefile_open_append(fifo, 0600, "history", err, sizeof err) == -1, "FIFO refused");
    CHECK(strstr(err, "the history is a FIFO (allowed: a regular file)") != NULL, "%s", err);

    /* A link to someone else's file. */
    if (geteuid() != 0 && access("/etc/hostname", F_OK) == 0) {
        char elink[512];
        snprintf(elink, sizeof elink, "%s/hetc", dir);
        CHECK(symlink("/etc/hostname", elink) == 0, "symlink to /etc");
        CHECK(safefile_open_append(elink, 0600, "history", err, sizeof err) == -1,
              "another user's file refused");
    }
}

int main(void)
{
    tmp_dir(dir, sizeof dir, "safefile");
    test_kind();
    test_read();
    test_own_dir();
    test_replace();
    test_append();
    if (tmp_cleanup(dir) != 0)
        return 1;
    return CHECK_DONE("test_safefile");
}
