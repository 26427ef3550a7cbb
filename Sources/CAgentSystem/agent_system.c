#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "agent_system.h"

int agent_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int agent_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

ssize_t agent_flistxattr(int fd, char *list, size_t size) { return flistxattr(fd, list, size); }

ssize_t agent_fgetxattr(int fd, const char *name, void *value, size_t size) { return fgetxattr(fd, name, value, size); }
