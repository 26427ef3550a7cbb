// The few GNU and Linux calls the agent needs that Swift's Glibc module does not export (they need
// _GNU_SOURCE or <sys/xattr.h>): close-on-exec pipes, closing every other descriptor in a spawned
// child, and reading extended attributes. Defined in agent_system.c, so this header sees the C
// library exactly as Swift's Glibc module does.
#ifndef AGENT_SYSTEM_H
#define AGENT_SYSTEM_H

#include <spawn.h>
#include <sys/types.h>

/// pipe2(fds, O_CLOEXEC).
int agent_pipe_cloexec(int fds[2]);

/// Closes every descriptor from `lowest` in the child (posix_spawn_file_actions_addclosefrom_np, glibc 2.34+).
int agent_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest);

/// flistxattr(2).
ssize_t agent_flistxattr(int fd, char *list, size_t size);

/// fgetxattr(2).
ssize_t agent_fgetxattr(int fd, const char *name, void *value, size_t size);

#endif
