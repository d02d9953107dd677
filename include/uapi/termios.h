/* Terminal interface: the kernel's struct termios (what TCGETS/TCSETS
 * copy), winsize, flag bits, c_cc indices and tty ioctl numbers, with Linux
 * x86_64 values. */
#ifndef LIMEN_UAPI_TERMIOS_H
#define LIMEN_UAPI_TERMIOS_H

#include <types.h>

#define KERNEL_NCCS 19
struct ktermios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[KERNEL_NCCS];
};
STATIC_ASSERT(sizeof(struct ktermios) == 36, "struct termios is 36 bytes");

struct winsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

#define VINTR 0
#define VQUIT 1
#define VERASE 2
#define VKILL 3
#define VEOF 4
#define VTIME 5
#define VMIN 6
#define VSWTC 7
#define VSTART 8
#define VSTOP 9
#define VSUSP 10
#define VEOL 11
#define VREPRINT 12
#define VDISCARD 13
#define VWERASE 14
#define VLNEXT 15
#define VEOL2 16

#define IGNBRK 0000001
#define BRKINT 0000002
#define IGNCR 0000200
#define INLCR 0000100
#define ICRNL 0000400
#define IXON 0002000
#define IUTF8 0040000

#define OPOST 0000001
#define ONLCR 0000004
#define OCRNL 0000010

#define B38400 0000017
#define CS8 0000060
#define CREAD 0000200
#define HUPCL 0002000
#define CLOCAL 0004000

#define ISIG 0000001
#define ICANON 0000002
#define ECHO 0000010
#define ECHOE 0000020
#define ECHOK 0000040
#define ECHONL 0000100
#define NOFLSH 0000200
#define TOSTOP 0000400
#define ECHOCTL 0001000
#define ECHOKE 0004000
#define IEXTEN 0100000

#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSW 0x5403
#define TCSETSF 0x5404
#define TCFLSH 0x540B
#define TIOCSCTTY 0x540E
#define TIOCGPGRP 0x540F
#define TIOCSPGRP 0x5410
#define TIOCOUTQ 0x5411
#define TIOCSTI 0x5412
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD 0x541B
#define FIONBIO 0x5421
#define TIOCNOTTY 0x5422
#define TIOCGSID 0x5429
#define TIOCPKT 0x5420
#define TIOCGPTN 0x80045430
#define TIOCSPTLCK 0x40045431
#define TIOCSIG 0x40045436
#define TIOCGPKT 0x80045438
#define TIOCGPTLCK 0x80045439
#define TIOCGPTPEER 0x5441

#endif
