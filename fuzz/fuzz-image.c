/* libFuzzer: what a registry or an archive sends about an image: an index
 * (platform pick), and a manifest and its config (split at the first NUL
 * byte), read back from a store as `run` reads them, then turned into a
 * runtime spec as the engine does. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/specgen.h"
#include "image/pull.h"
#include "image/store.h"
#include "util/fs.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static dxc_store *store;

static void
pick (const uint8_t *data, size_t size)
{
  static const char *const platforms[]
      = { "linux/amd64", "linux/arm64/v8", "linux/arm/v7", NULL };
  json_t *idx = json_loadb ((const char *) data, size, 0, NULL);
  for (int i = 0; idx && platforms[i]; i++)
    {
      const char *digest = NULL;
      dxc_error *err = NULL;
      dxc_pull_pick_platform (idx, platforms[i], &digest, &err);
      dxc_error_free (err);
    }
  json_decref (idx);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const uint8_t *nul = memchr (data, 0, size);
  char man_digest[80], cfg_digest[80];
  dxc_image *img = NULL;
  dxc_error *err = NULL;
  json_t *spec = NULL;

  pick (data, size);
  if (store == NULL)
    {
      char dir[] = "/tmp/dxc-fuzz-image.XXXXXX";
      if (mkdtemp (dir) == NULL || dxc_store_open (dir, &store, NULL) < 0)
        abort ();
    }
  if (nul == NULL)
    return 0;
  /* The config first: the manifest names it by a digest the fuzzer cannot
     guess, so "@CONFIG@" in the manifest stands for it. */
  if (dxc_store_put_blob (store, nul + 1, size - (nul - data) - 1, cfg_digest,
                          NULL)
      < 0)
    return 0;
  {
    size_t ml = nul - data;
    char *man = malloc (ml + 80);
    char *at;
    if (man == NULL)
      return 0;
    memcpy (man, data, ml);
    man[ml] = '\0';
    if ((at = strstr (man, "@CONFIG@")) != NULL)
      {
        memmove (at + strlen (cfg_digest), at + 8, strlen (at + 8) + 1);
        memcpy (at, cfg_digest, strlen (cfg_digest));
      }
    if (dxc_store_put_blob (store, man, strlen (man), man_digest, NULL) < 0)
      {
        free (man);
        return 0;
      }
    free (man);
  }
  if (dxc_image_from_manifest (store, man_digest, &img, &err) == 0)
    {
      dxc_run_options o = { 0 };
      dxc_user user = { 0 };
      char *empty[] = { NULL };
      o.cmd = empty;
      if (dxc_specgen (img, &o, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                       "/nonexistent", &user, &spec, &err)
          == 0)
        json_decref (spec);
      dxc_image_free (img);
    }
  dxc_error_free (err);
  /* Leave the store as it was: the fuzzer runs millions of inputs. */
  {
    char *p1 = dxc_store_blob_path (store, man_digest);
    char *p2 = dxc_store_blob_path (store, cfg_digest);
    if (p1)
      unlink (p1);
    if (p2)
      unlink (p2);
    free (p1);
    free (p2);
  }
  return 0;
}
