/* The CMOS real-time clock (MC146818), read once at boot to give
 * CLOCK_REALTIME its starting point; afterwards time advances with the TSC. */
#include <arch.h>
#include <printk.h>
#include <time.h>

extern int64_t rtc_boot_epoch;

static uint8_t cmos_read(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static int bcd(uint8_t v, bool is_bcd)
{
	return is_bcd ? (v & 0xf) + (v >> 4) * 10 : v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void rtc_init(void)
{
	uint8_t s, m, h, d, mo, y, s2;
	/* Wait out an update in progress, and re-read if the seconds
	 * changed under us. */
	do {
		for (int i = 0; i < 100000 && (cmos_read(0x0a) & 0x80); i++)
			;
		s = cmos_read(0x00);
		m = cmos_read(0x02);
		h = cmos_read(0x04);
		d = cmos_read(0x07);
		mo = cmos_read(0x08);
		y = cmos_read(0x09);
		s2 = cmos_read(0x00);
	} while (s != s2);
	uint8_t regb = cmos_read(0x0b);
	bool is_bcd = !(regb & 0x04);
	int hour = bcd(h & 0x7f, is_bcd);
	if (!(regb & 0x02) && (h & 0x80))
		hour = (hour % 12) + 12; /* 12-hour mode, PM */
	int year = 2000 + bcd(y, is_bcd);
	int64_t days = days_from_civil(year, bcd(mo, is_bcd), bcd(d, is_bcd));
	rtc_boot_epoch =
	    days * 86400 + hour * 3600 + bcd(m, is_bcd) * 60 + bcd(s, is_bcd);
	pr_info("rtc: %04d-%02d-%02d %02d:%02d:%02d UTC", year, bcd(mo, is_bcd),
		bcd(d, is_bcd), hour, bcd(m, is_bcd), bcd(s, is_bcd));
}
