/* CMSDK APB UART (ARM DDI 0479C, 4.3), polled: the UARTs of the MPS2/MPS3
 * FPGA images and of QEMU's mps2-an386/an505 models. No interrupts, no FIFO
 * (the CMSDK UART has a one-byte buffer each way).
 *
 * Device code: C99, no malloc. */
#ifndef IFU_CM_UART_H
#define IFU_CM_UART_H

#include <stdint.h>

/* an386 UART0..UART4 (QEMU hw/arm/mps2.c; the notes in docs/QEMU.md). */
#define IFU_AN386_UART0        0x40004000u
#define IFU_AN386_UART1        0x40005000u
#define IFU_AN386_UART0_RX_IRQ 0u /* QEMU hw/arm/mps2.c: RX irq 0, 2, 4, 18, 20 */
#define IFU_AN386_UART1_RX_IRQ 2u

/* The UART fatal messages of the startup code go to. */
#ifndef IFU_CM_LOG_UART
#define IFU_CM_LOG_UART IFU_AN386_UART0
#endif

/* Enable TX and RX with baud divisor 16 (the model ignores the rate). */
void ifu_uart_init(uint32_t base);

/* Send one byte, waiting while the TX buffer is full. */
void ifu_uart_putc(uint32_t base, uint8_t c);

/* Send len bytes; a "\n" is sent as "\r\n" when crlf is 1. */
void ifu_uart_write(uint32_t base, const void *buf, uint32_t len, int crlf);

/* Send a NUL-terminated string, "\n" as "\r\n". */
void ifu_uart_puts(uint32_t base, const char *s);

/* The received byte (0..255), or -1 if none is waiting. */
int ifu_uart_getc(uint32_t base);

/* Wait for a received byte and return it. Sleeps with WFI between bytes
 * (RX interrupt enabled at the UART and in the NVIC as irq, never taken:
 * interrupts stay masked by PRIMASK, WFI wakes on the pending line), so the
 * CPU is idle while waiting; under QEMU, a busy poll of the status register
 * slows down the delivery of received bytes severalfold. Call with
 * interrupts masked (cpsid i); irq is the UART's RX interrupt number. */
uint8_t ifu_uart_getc_wait(uint32_t base, unsigned irq);

/* Small formatted output for logs, no libc: %s %u %d %x %08x (width 0-9 with
 * a leading 0 for zero padding) %c %%. Lines end in "\r\n" on the wire. */
void ifu_uart_printf(uint32_t base, const char *fmt, ...);

#endif /* IFU_CM_UART_H */
