/* libarchive through dlopen: include this instead of <archive.h> and
 * <archive_entry.h>, and call dxc_archive_load() before the first use.
 * The names stay libarchive's own: each is a macro for a pointer in
 * dxc_la, resolved when the library is loaded. */
#ifndef DXC_LIBARCHIVE_H
#define DXC_LIBARCHIVE_H

#include <archive.h>
#include <archive_entry.h>

#include "util/cleanup.h"
#include "util/error.h"

#define DXC_LA_SYMBOLS(X) \
  X (archive_read_new) \
  X (archive_read_free) \
  X (archive_read_support_format_tar) \
  X (archive_read_support_format_gnutar) \
  X (archive_read_support_filter_all) \
  X (archive_read_open_filename) \
  X (archive_read_open_memory) \
  X (archive_read_open_fd) \
  X (archive_read_next_header) \
  X (archive_read_data_block) \
  X (archive_error_string) \
  X (archive_set_error) \
  X (archive_format) \
  X (archive_read_disk_new) \
  X (archive_read_disk_set_symlink_physical) \
  X (archive_read_disk_set_behavior) \
  X (archive_read_disk_open) \
  X (archive_read_disk_descend) \
  X (archive_write_new) \
  X (archive_write_set_format_pax_restricted) \
  X (archive_write_open) \
  X (archive_write_header) \
  X (archive_write_data) \
  X (archive_write_close) \
  X (archive_write_free) \
  X (archive_entry_pathname) \
  X (archive_entry_set_pathname) \
  X (archive_entry_set_uname) \
  X (archive_entry_set_gname) \
  X (archive_entry_hardlink) \
  X (archive_entry_filetype) \
  X (archive_entry_perm) \
  X (archive_entry_uid) \
  X (archive_entry_gid) \
  X (archive_entry_size) \
  X (archive_entry_size_is_set) \
  X (archive_entry_symlink) \
  X (archive_entry_rdev) \
  X (archive_entry_atime) \
  X (archive_entry_atime_nsec) \
  X (archive_entry_atime_is_set) \
  X (archive_entry_mtime) \
  X (archive_entry_mtime_nsec) \
  X (archive_entry_xattr_reset) \
  X (archive_entry_xattr_next) \
  X (archive_entry_linkresolver_new) \
  X (archive_entry_linkresolver_set_strategy) \
  X (archive_entry_linkify) \
  X (archive_entry_linkresolver_free) \
  X (archive_entry_new) \
  X (archive_entry_free) \
  X (archive_entry_set_size) \
  X (archive_entry_set_filetype) \
  X (archive_entry_set_perm) \
  X (archive_entry_set_mtime) \
  X (archive_write_open_filename)

struct dxc_la
{
#define DXC_LA_FIELD(n) __typeof__ (n) *n;
  DXC_LA_SYMBOLS (DXC_LA_FIELD)
#undef DXC_LA_FIELD
};

extern struct dxc_la dxc_la;

int dxc_archive_load (dxc_error **err);

/* Cleanup attributes for archives (the library is loaded by then: an
   archive exists only after dxc_archive_load). */
static inline void
dxc_archive_read_freep (struct archive **a)
{
  if (*a)
    dxc_la.archive_read_free (*a);
}
static inline void
dxc_archive_write_freep (struct archive **a)
{
  if (*a)
    dxc_la.archive_write_free (*a);
}
static inline void
dxc_archive_linkresolver_freep (struct archive_entry_linkresolver **lr)
{
  if (*lr)
    dxc_la.archive_entry_linkresolver_free (*lr);
}
#define cleanup_archive_read _cleanup_ (dxc_archive_read_freep)
#define cleanup_linkresolver _cleanup_ (dxc_archive_linkresolver_freep)
#define cleanup_archive_write _cleanup_ (dxc_archive_write_freep)

#ifndef DXC_LIBARCHIVE_IMPL
#define archive_read_new dxc_la.archive_read_new
#define archive_read_free dxc_la.archive_read_free
#define archive_read_support_format_tar dxc_la.archive_read_support_format_tar
#define archive_read_support_format_gnutar dxc_la.archive_read_support_format_gnutar
#define archive_read_support_filter_all dxc_la.archive_read_support_filter_all
#define archive_read_open_filename dxc_la.archive_read_open_filename
#define archive_read_open_memory dxc_la.archive_read_open_memory
#define archive_read_open_fd dxc_la.archive_read_open_fd
#define archive_read_next_header dxc_la.archive_read_next_header
#define archive_read_data_block dxc_la.archive_read_data_block
#define archive_error_string dxc_la.archive_error_string
#define archive_set_error dxc_la.archive_set_error
#define archive_format dxc_la.archive_format
#define archive_read_disk_new dxc_la.archive_read_disk_new
#define archive_read_disk_set_symlink_physical dxc_la.archive_read_disk_set_symlink_physical
#define archive_read_disk_set_behavior dxc_la.archive_read_disk_set_behavior
#define archive_read_disk_open dxc_la.archive_read_disk_open
#define archive_read_disk_descend dxc_la.archive_read_disk_descend
#define archive_write_new dxc_la.archive_write_new
#define archive_write_set_format_pax_restricted dxc_la.archive_write_set_format_pax_restricted
#define archive_write_open dxc_la.archive_write_open
#define archive_write_header dxc_la.archive_write_header
#define archive_write_data dxc_la.archive_write_data
#define archive_write_close dxc_la.archive_write_close
#define archive_write_free dxc_la.archive_write_free
#define archive_entry_pathname dxc_la.archive_entry_pathname
#define archive_entry_set_pathname dxc_la.archive_entry_set_pathname
#define archive_entry_set_uname dxc_la.archive_entry_set_uname
#define archive_entry_set_gname dxc_la.archive_entry_set_gname
#define archive_entry_hardlink dxc_la.archive_entry_hardlink
#define archive_entry_filetype dxc_la.archive_entry_filetype
#define archive_entry_perm dxc_la.archive_entry_perm
#define archive_entry_uid dxc_la.archive_entry_uid
#define archive_entry_gid dxc_la.archive_entry_gid
#define archive_entry_size dxc_la.archive_entry_size
#define archive_entry_size_is_set dxc_la.archive_entry_size_is_set
#define archive_entry_symlink dxc_la.archive_entry_symlink
#define archive_entry_rdev dxc_la.archive_entry_rdev
#define archive_entry_atime dxc_la.archive_entry_atime
#define archive_entry_atime_nsec dxc_la.archive_entry_atime_nsec
#define archive_entry_atime_is_set dxc_la.archive_entry_atime_is_set
#define archive_entry_mtime dxc_la.archive_entry_mtime
#define archive_entry_mtime_nsec dxc_la.archive_entry_mtime_nsec
#define archive_entry_xattr_reset dxc_la.archive_entry_xattr_reset
#define archive_entry_xattr_next dxc_la.archive_entry_xattr_next
#define archive_entry_linkresolver_new dxc_la.archive_entry_linkresolver_new
#define archive_entry_linkresolver_set_strategy dxc_la.archive_entry_linkresolver_set_strategy
#define archive_entry_linkify dxc_la.archive_entry_linkify
#define archive_entry_linkresolver_free dxc_la.archive_entry_linkresolver_free
#define archive_entry_new dxc_la.archive_entry_new
#define archive_entry_free dxc_la.archive_entry_free
#define archive_entry_set_size dxc_la.archive_entry_set_size
#define archive_entry_set_filetype dxc_la.archive_entry_set_filetype
#define archive_entry_set_perm dxc_la.archive_entry_set_perm
#define archive_entry_set_mtime dxc_la.archive_entry_set_mtime
#define archive_write_open_filename dxc_la.archive_write_open_filename
#endif

#endif
