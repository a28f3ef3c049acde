/* A seccomp agent for the tests (the runtime spec's listenerPath): listens
 * on SOCKET, takes one connection, writes the container process state it
 * receives to STATE, and answers every notification of the filter's
 * listener fd with EROFS, until the container is gone.
 *   seccomp-agent SOCKET STATE */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  char buf[65536];
  union
  {
    char b[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct iovec iov = { buf, sizeof buf - 1 };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = u.b, .msg_controllen = sizeof u.b };
  struct cmsghdr *c;
  int ls, cs, nfd = -1, out, answered = 0;
  ssize_t n;

  if (argc != 3)
    return 2;
  snprintf (addr.sun_path, sizeof addr.sun_path, "%s", argv[1]);
  ls = socket (AF_UNIX, SOCK_STREAM, 0);
  if (ls < 0 || bind (ls, (struct sockaddr *) &addr, sizeof addr) < 0
      || listen (ls, 1) < 0)
    {
      perror ("agent: listen");
      return 1;
    }
  cs = accept (ls, NULL, NULL);
  n = cs < 0 ? -1 : recvmsg (cs, &mh, 0);
  if (n <= 0)
    {
      perror ("agent: recvmsg");
      return 1;
    }
  buf[n] = '\0';
  for (c = CMSG_FIRSTHDR (&mh); c; c = CMSG_NXTHDR (&mh, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      memcpy (&nfd, CMSG_DATA (c), sizeof (int));
  out = open (argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (out < 0 || write (out, buf, n) != n)
    return 1;
  close (out);
  /* The connection is the runtime's to close; ours, once read. */
  close (cs);
  if (nfd < 0)
    {
      fprintf (stderr, "agent: no fd\n");
      return 1;
    }
  for (;;)
    {
      struct seccomp_notif req;
      struct seccomp_notif_resp resp;
      memset (&req, 0, sizeof req);
      if (ioctl (nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
        {
          if (errno == EINTR)
            continue;
          break; /* ENOENT: nobody left under the filter */
        }
      memset (&resp, 0, sizeof resp);
      resp.id = req.id;
      resp.error = -EROFS;
      if (ioctl (nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0)
        answered++;
    }
  fprintf (stderr, "agent: answered %d\n", answered);
  return 0;
}
