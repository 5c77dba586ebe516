/* aot_rec: runs PP-OCRv4 rec compiled ahead of time (`kiln compile ... -o
 * librec.so --header rec.h`) on a .npy input, in plain C. Prints the output's
 * shape and, per time step, the index of the most likely character (the
 * greedy CTC path before collapsing repeats and blanks).
 *
 * usage: aot_rec INPUT.npy [THREADS [OUTPUT.npy]]
 * INPUT.npy: float32, C order, shape rec_IN0_DIMS (1x3x48x320); OUTPUT.npy
 * receives the probabilities, shape rec_OUT0_DIMS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec.h"

/* Reads a float32 C-order .npy whose element count is `expected`. */
static float* read_npy(const char* path, long expected) {
  FILE* f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "cannot open %s\n", path); return NULL; }
  unsigned char magic[10];
  if (fread(magic, 1, 10, f) != 10 || memcmp(magic, "\x93NUMPY", 6) != 0 || magic[6] != 1) {
    fprintf(stderr, "%s: not a version 1 .npy file\n", path);
    fclose(f);
    return NULL;
  }
  unsigned header_len = magic[8] | (unsigned)magic[9] << 8;
  char* header = malloc(header_len + 1);
  if (!header || fread(header, 1, header_len, f) != header_len) {
    fprintf(stderr, "%s: truncated header\n", path);
    free(header);
    fclose(f);
    return NULL;
  }
  header[header_len] = 0;
  int ok = strstr(header, "'<f4'") && strstr(header, "'fortran_order': False");
  free(header);
  if (!ok) { fprintf(stderr, "%s: need little-endian float32 in C order\n", path); fclose(f); return NULL; }
  float* data = malloc(sizeof(float) * (size_t)expected);
  size_t got = data ? fread(data, sizeof(float), (size_t)expected, f) : 0;
  int extra = fgetc(f) != EOF;
  fclose(f);
  if (got != (size_t)expected || extra) {
    fprintf(stderr, "%s: expected %ld float32 elements\n", path, expected);
    free(data);
    return NULL;
  }
  return data;
}

/* Writes a float32 C-order .npy of shape dims[0..rank). */
static int write_npy(const char* path, const float* data, const long* dims, int rank, long count) {
  char header[128];
  int n = snprintf(header, sizeof header, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
  for (int i = 0; i < rank; ++i) n += snprintf(header + n, sizeof header - (size_t)n, "%ld, ", dims[i]);
  n += snprintf(header + n, sizeof header - (size_t)n, "), }");
  int total = (10 + n + 1 + 63) / 64 * 64; /* magic + length + header + newline, padded */
  while (n < total - 10 - 1) header[n++] = ' ';
  header[n++] = '\n';
  unsigned char prefix[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(n & 0xff), (unsigned char)(n >> 8)};
  FILE* f = fopen(path, "wb");
  if (!f) return -1;
  int ok = fwrite(prefix, 1, 10, f) == 10 && fwrite(header, 1, (size_t)n, f) == (size_t)n &&
           fwrite(data, sizeof(float), (size_t)count, f) == (size_t)count;
  return fclose(f) == 0 && ok ? 0 : -1;
}

int main(int argc, char** argv) {
  if (argc < 2) { fprintf(stderr, "usage: %s INPUT.npy [THREADS]\n", argv[0]); return 1; }
  int threads = argc > 2 ? atoi(argv[2]) : 1;
  float* x = read_npy(argv[1], rec_IN0_ELEMENTS);
  if (!x) return 1;
  float* y = malloc(sizeof(float) * rec_OUT0_ELEMENTS);
  rec_model* model = rec_create(threads);
  if (!model) { fprintf(stderr, "rec_create: %s\n", rec_last_error()); return 2; }
  if (rec_run(model, x, y) != 0) { fprintf(stderr, "rec_run: %s\n", rec_last_error()); return 2; }

  const long dims[rec_OUT0_RANK] = rec_OUT0_DIMS;
  long steps = dims[1], classes = dims[2];
  printf("output %ldx%ldx%ld\n", dims[0], steps, classes);
  printf("argmax");
  for (long t = 0; t < steps; ++t) {
    const float* row = y + t * classes;
    long best = 0;
    for (long c = 1; c < classes; ++c)
      if (row[c] > row[best]) best = c;
    printf(" %ld", best);
  }
  printf("\n");
  if (argc > 3 && write_npy(argv[3], y, dims, rec_OUT0_RANK, rec_OUT0_ELEMENTS) != 0) {
    fprintf(stderr, "cannot write %s\n", argv[3]);
    return 1;
  }
  rec_destroy(model);
  free(x);
  free(y);
  return 0;
}
