/* The parent/child protocol: see sync.h. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sync.h"

struct sync_hdr
{
  uint32_t type;
  int32_t exit_code;
  int32_t errnum;
};

void
dxc_sync_send_error (int sock, const dxc_error *e)
{
  char buf[sizeof (struct sync_hdr) + 4096];
  struct sync_hdr h = { DXC_SYNC_ERROR, e ? e->exit_code : DXC_EXIT_ENGINE,
                        e ? e->errnum : 0 };
  size_t len = e && e->msg ? strlen (e->msg) : 0;

  if (len > 4096)
    len = 4096;
  memcpy (buf, &h, sizeof h);
  if (len)
    memcpy (buf + sizeof h, e->msg, len);
  if (send (sock, buf, sizeof h + len, MSG_NOSIGNAL) < 0)
    return;
}

int
dxc_send_with_fd (int sock, const void *data, size_t len, int fd)
{
  struct iovec iov = { (void *) data, len };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = u.buf, .msg_controllen = sizeof u.buf };
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);

  /* A message without a fd (DXC_SYNC_CREATED). */
  if (fd < 0)
    {
      msg.msg_control = NULL;
      msg.msg_controllen = 0;
    }
  else
    {
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (c), &fd, sizeof (int));
    }
  return sendmsg (sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

int
dxc_sync_send_fd (int sock, enum dxc_sync_type type, int fd, dxc_error **err)
{
  struct sync_hdr h = { type, 0, 0 };
  if (dxc_send_with_fd (sock, &h, sizeof h, fd) < 0)
    return dxc_error_errno (err, errno, "send to the runtime");
  return 0;
}

int
dxc_sync_recv (int sock, enum dxc_sync_type *ret_type, int *ret_fd,
               dxc_error **err)
{
  char buf[sizeof (struct sync_hdr) + 4097];
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct iovec iov = { buf, sizeof buf - 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = u.buf, .msg_controllen = sizeof u.buf };
  struct sync_hdr h;
  struct cmsghdr *c;
  ssize_t n;

  do
    n = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return dxc_error_errno (err, errno, "read from the container process");
  if (n == 0)
    return 0;
  if ((size_t) n < sizeof h)
    return dxc_error_new (err, "short message from the container process");
  memcpy (&h, buf, sizeof h);
  *ret_type = h.type;
  if (ret_fd)
    *ret_fd = -1;
  for (c = CMSG_FIRSTHDR (&msg); c; c = CMSG_NXTHDR (&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && ret_fd)
      memcpy (ret_fd, CMSG_DATA (c), sizeof (int));
  if (h.type == DXC_SYNC_EXEC_FAILED)
    {
      dxc_error_new (err, "exec failed");
      (*err)->errnum = h.errnum;
    }
  if (h.type == DXC_SYNC_ERROR)
    {
      buf[n] = '\0';
      dxc_error_new (err, "%s", buf + sizeof h);
      (*err)->errnum = h.errnum;
      (*err)->exit_code = h.exit_code;
    }
  return 1;
}

int
dxc_sync_send_go (int sock, dxc_error **err)
{
  struct sync_hdr h = { DXC_SYNC_GO, 0, 0 };
  if (send (sock, &h, sizeof h, MSG_NOSIGNAL) < 0)
    return dxc_error_errno (err, errno, "signal the container process");
  return 0;
}

int
dxc_sync_wait_go (int sock, dxc_error **err)
{
  struct sync_hdr h;
  ssize_t n;
  do
    n = recv (sock, &h, sizeof h, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return dxc_error_errno (err, errno, "wait for the runtime");
  if (n != sizeof h || h.type != DXC_SYNC_GO)
    return dxc_error_new (err, "the runtime stopped during setup");
  return 0;
}
