/* The one hook the rest of the kernel has into epoll (fs/eventpoll.c). */
#ifndef LIMEN_FS_EVENTPOLL_H
#define LIMEN_FS_EVENTPOLL_H

struct file;

/* From file_put, when f's last reference is gone and before its release:
 * f leaves every epoll set that watches it (Linux's eventpoll_release).
 * Cheap when no epoll watches anything. May sleep (a mutex). */
void eventpoll_release_file(struct file *f);

#endif
