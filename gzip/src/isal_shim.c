/* The few ISA-L calls imgslim needs, behind functions that keep `struct inflate_state` opaque:
 * its layout depends on the ISA-L version, so Rust never sees it. */
#include <stdint.h>
#include <stdlib.h>
#include <isa-l/igzip_lib.h>

struct inflate_state *imgslim_isal_new(void)
{
	struct inflate_state *s = malloc(sizeof *s);
	if (s) {
		isal_inflate_init(s);
		s->crc_flag = ISAL_GZIP;
	}
	return s;
}

void imgslim_isal_free(struct inflate_state *s)
{
	free(s);
}

/* Start the next gzip member of a multi-member stream. */
void imgslim_isal_reset(struct inflate_state *s)
{
	isal_inflate_reset(s);
	s->crc_flag = ISAL_GZIP;
}

/* One isal_inflate call. On return *in_len and *out_len hold what is left of each buffer, and
 * *finished is 1 once the member's trailer has been read and its CRC checked. */
int imgslim_isal_inflate(struct inflate_state *s, const uint8_t *in, uint32_t *in_len,
			 uint8_t *out, uint32_t *out_len, int *finished)
{
	s->next_in = (uint8_t *)in;
	s->avail_in = *in_len;
	s->next_out = out;
	s->avail_out = *out_len;
	int rc = isal_inflate(s);
	*in_len = s->avail_in;
	*out_len = s->avail_out;
	*finished = s->block_state == ISAL_BLOCK_FINISH;
	return rc;
}
