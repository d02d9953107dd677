/* Shared between the socket layer's files (net/socket.c, the calls on
 * addresses, options and connections; net/socket_msg.c, the data path). */
#ifndef LIMEN_NET_SOCKET_INTERNAL_H
#define LIMEN_NET_SOCKET_INTERNAL_H

#include <fs/vfs.h>
#include <net/socket.h>

extern const struct file_ops sock_file_ops;
/* The socket behind fd with a file reference in *fp, or NULL with *err
 * -EBADF or -ENOTSOCK. */
struct socket *sock_fd(int fd, struct file **fp, int *err);
int sock_addr_in(struct sockaddr_storage_k *k, const void __user *ua,
		 uint32_t len);
int sock_addr_out(const struct sockaddr_storage_k *k, uint32_t klen,
		  void __user *ua, uint32_t __user *ulen);

#endif
