/* see uart.h */
#include "uart.h"

#include <stdarg.h>

#define DATA(b)    (*(volatile uint32_t *)(uintptr_t)((b) + 0x00u))
#define STATE(b)   (*(volatile uint32_t *)(uintptr_t)((b) + 0x04u))
#define CTRL(b)    (*(volatile uint32_t *)(uintptr_t)((b) + 0x08u))
#define INTCLR(b)  (*(volatile uint32_t *)(uintptr_t)((b) + 0x0Cu))
#define BAUDDIV(b) (*(volatile uint32_t *)(uintptr_t)((b) + 0x10u))

#define STATE_TX_FULL 0x1u
#define STATE_RX_FULL 0x2u
#define CTRL_TX_EN    0x1u
#define CTRL_RX_EN    0x2u
#define CTRL_RX_INTEN 0x8u
#define INT_RX        0x2u

#define NVIC_ISER(n) (*(volatile uint32_t *)(uintptr_t)(0xE000E100u + 4u * (n)))
#define NVIC_ICPR(n) (*(volatile uint32_t *)(uintptr_t)(0xE000E280u + 4u * (n)))

void ifu_uart_init(uint32_t base)
{
    BAUDDIV(base) = 16u;
    CTRL(base) = CTRL_TX_EN | CTRL_RX_EN;
}

void ifu_uart_putc(uint32_t base, uint8_t c)
{
    while (STATE(base) & STATE_TX_FULL) {
    }
    DATA(base) = c;
}

void ifu_uart_write(uint32_t base, const void *buf, uint32_t len, int crlf)
{
    const uint8_t *p = buf;
    for (uint32_t i = 0; i < len; i++) {
        if (crlf && p[i] == '\n') {
            ifu_uart_putc(base, '\r');
        }
        ifu_uart_putc(base, p[i]);
    }
}

void ifu_uart_puts(uint32_t base, const char *s)
{
    while (*s != '\0') {
        if (*s == '\n') {
            ifu_uart_putc(base, '\r');
        }
        ifu_uart_putc(base, (uint8_t)*s++);
    }
}

int ifu_uart_getc(uint32_t base)
{
    if (!(STATE(base) & STATE_RX_FULL)) {
        return -1;
    }
    return (int)(DATA(base) & 0xFFu);
}

uint8_t ifu_uart_getc_wait(uint32_t base, unsigned irq)
{
    CTRL(base) |= CTRL_RX_INTEN;
    NVIC_ISER(irq / 32u) = 1u << (irq % 32u);
    for (;;) {
        /* Clear first, then look: a byte that lands after the look leaves
         * the line pending, and WFI returns at once. */
        INTCLR(base) = INT_RX;
        NVIC_ICPR(irq / 32u) = 1u << (irq % 32u);
        if (STATE(base) & STATE_RX_FULL) {
            return (uint8_t)(DATA(base) & 0xFFu);
        }
        __asm__ volatile("wfi" ::: "memory");
    }
}

static void put_num(uint32_t base, uint32_t v, unsigned radix, unsigned width, char pad)
{
    char tmp[12];
    unsigned n = 0;
    do {
        unsigned d = v % radix;
        tmp[n++] = (char)(d < 10u ? '0' + d : 'a' + d - 10u);
        v /= radix;
    } while (v != 0u);
    while (width > n) {
        ifu_uart_putc(base, (uint8_t)pad);
        width--;
    }
    while (n > 0u) {
        ifu_uart_putc(base, (uint8_t)tmp[--n]);
    }
}

void ifu_uart_printf(uint32_t base, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p != '\0'; p++) {
        if (*p != '%') {
            if (*p == '\n') {
                ifu_uart_putc(base, '\r');
            }
            ifu_uart_putc(base, (uint8_t)*p);
            continue;
        }
        p++;
        char pad = ' ';
        unsigned width = 0;
        if (*p == '0') {
            pad = '0';
            p++;
        }
        while (*p >= '0' && *p <= '9') {
            width = width * 10u + (unsigned)(*p - '0');
            p++;
        }
        switch (*p) {
        case 's':
            ifu_uart_puts(base, va_arg(ap, const char *));
            break;
        case 'u':
            put_num(base, va_arg(ap, unsigned), 10u, width, pad);
            break;
        case 'd': {
            int v = va_arg(ap, int);
            uint32_t mag = (uint32_t)v;
            if (v < 0) {
                ifu_uart_putc(base, '-');
                mag = 0u - mag;
            }
            put_num(base, mag, 10u, width, pad);
            break;
        }
        case 'x':
            put_num(base, va_arg(ap, unsigned), 16u, width, pad);
            break;
        case 'c':
            ifu_uart_putc(base, (uint8_t)va_arg(ap, int));
            break;
        case '%':
            ifu_uart_putc(base, '%');
            break;
        case '\0':
            p--; /* a lone % at the end */
            break;
        default:
            ifu_uart_putc(base, '%');
            ifu_uart_putc(base, (uint8_t)*p);
            break;
        }
    }
    va_end(ap);
}
