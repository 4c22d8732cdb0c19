// memvirt's harness for the RISC-V IOMMU C reference model (riscv-non-isa/riscv-iommu,
// iommu_ref_model/libiommu), built OUTSIDE the repository by run.ts: it supplies the memory and
// bridge callbacks the model needs, reads scenarios as simple lines on stdin and prints the same JSON
// events as `memvirt iommu --json` (translate responses raw, for run.ts to compare).
//   reset CAPS FCTL | mem ADDR VALUE | wr OFF SIZE VALUE | rd OFF SIZE | mw ADDR VALUE
//   cmd W0 W1 | tr DID PV PID ACCESS(0 read, 1 write, 2 execute) PRIV TYPE(0 untranslated, 1 ats, 2 translated) IOVA | end
//   msi DID PV PID IOVA DATA (a 32-bit untranslated write of DATA; on an MRIF-mode page this harness does
//   the I/O bridge's part, which the C model leaves to it: the MRIF store and the notice MSI, AIA "MSI PTE, MRIF mode")
//   pr DID PV PID PRIV EXEC PAYLOAD (a PCIe Page Request: RID = DID[15:0], DSV = DID[23:16] != 0, DSEG = DID[23:16])
//   ic RID DSV DSEG ITAGS CC (a device's Invalidation Completion) | to ITAGS (the ATS invalidation timer expires for ITAGS)
//   breq (as tr: adds a request to the benchmark list) | bench COUNT (COUNT translations cycling through the
//   list, printing nothing but {"op":"bench","count":COUNT,"ns":CPU time used,"clock":"cpu"}) — for bench/iommu.ts
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <time.h>
#include "iommu.h"

#define RAM_BASE 0x80000000ULL
#define RAM_PAGES (1u << 19)
static uint8_t *pages[RAM_PAGES];
static int in_scenario = 0;

static uint8_t *byte_at(uint64_t a) {
    if (a < RAM_BASE || a >= RAM_BASE + ((uint64_t)RAM_PAGES << 12)) return NULL;
    uint64_t pn = (a - RAM_BASE) >> 12;
    if (!pages[pn]) pages[pn] = calloc(4096, 1);
    return pages[pn] + (a & 0xfff);
}
static int in_ram(uint64_t a, uint64_t size) {
    return a >= RAM_BASE && a + size <= RAM_BASE + ((uint64_t)RAM_PAGES << 12) && ((a ^ (a + size - 1)) >> 12) == 0;
}
static void store(uint64_t a, const void *d, uint32_t n) { memcpy(byte_at(a), d, n); }

uint8_t read_memory(uint64_t addr, uint8_t size, char *data, uint32_t rcid, uint32_t mcid, uint32_t pma, int endian) {
    (void)rcid; (void)mcid; (void)pma; (void)endian;
    if (!in_ram(addr, size)) return ACCESS_FAULT;
    memcpy(data, byte_at(addr), size);
    return 0;
}
uint8_t read_memory_for_AMO(uint64_t addr, uint8_t size, char *data, uint32_t rcid, uint32_t mcid, uint32_t pma, int endian) {
    return read_memory(addr, size, data, rcid, mcid, pma, endian);
}
uint8_t write_memory(char *data, uint64_t addr, uint32_t size, uint32_t rcid, uint32_t mcid, uint32_t pma, int endian) {
    (void)rcid; (void)mcid; (void)pma; (void)endian;
    if (!in_ram(addr, size)) return ACCESS_FAULT;
    store(addr, data, size);
    if (in_scenario) {
        // Report doublewords (a 32-byte fault record as four), a 4-byte store as itself.
        uint32_t step = size >= 8 ? 8 : size;
        for (uint32_t i = 0; i < size; i += step) {
            uint64_t v = 0;
            memcpy(&v, data + i, step);
            printf("{\"op\":\"memory-write\",\"addr\":\"0x%" PRIx64 "\",\"size\":%u,\"value\":\"0x%" PRIx64 "\"}\n", addr + i, step, v);
        }
    }
    return 0;
}
uint8_t read_memory_test(uint64_t addr, uint8_t size, char *data) { return read_memory(addr, size, data, 0, 0, 0, 0); }
uint8_t write_memory_test(char *data, uint64_t address, uint32_t size) { return write_memory(data, address, size, 0, 0, 0, 0); }
void iommu_to_hb_do_global_observability_sync(uint8_t PR, uint8_t PW) { (void)PR; (void)PW; }
/** Who sends the next messages: the command queue, or the IOMMU answering a page request itself. */
static const char *msg_origin = "command";
void send_msg_iommu_to_hb(ats_msg_t *msg) {
    printf("{\"op\":\"ats-message\",\"message\":\"%s\",\"origin\":\"%s\",\"rid\":%u,\"dsv\":%s,\"dseg\":%u,\"pv\":%s,\"pid\":%u,\"tag\":%u,\"payload\":\"0x%" PRIx64 "\"}\n",
           msg->MSGCODE == INVAL_REQ_MSG_CODE ? "invalidation-request" : msg->MSGCODE == PRGR_MSG_CODE ? "page-request-group-response" : "other",
           msg_origin, msg->RID, msg->DSV ? "true" : "false", msg->DSEG, msg->PV ? "true" : "false", msg->PID, msg->TAG, msg->PAYLOAD);
}

// The request attributes: read, write (ATS: unless no-write), execute (untranslated, or with a PASID), privilege.
// A read-for-execute (untranslated, or translated with T2GPA) is checked for X alone, as memvirt checks it.
void get_attribs_from_req(hb_to_iommu_req_t *req, uint8_t *read, uint8_t *write, uint8_t *exec, uint8_t *priv) {
    int is_read = req->tr.read_writeAMO == READ;
    *exec = is_read && req->exec_req && (req->tr.at == ADDR_TYPE_UNTRANSLATED || req->pid_valid);
    *read = (is_read && req->exec_req && req->tr.at != ADDR_TYPE_PCIE_ATS_TRANSLATION_REQUEST) ? 0 : is_read;
    *write = req->tr.read_writeAMO == WRITE;
    if (req->tr.at == ADDR_TYPE_PCIE_ATS_TRANSLATION_REQUEST && req->no_write == 0) *write = 1;
    *priv = (req->pid_valid && req->priv_req) ? S_MODE : U_MODE;
}
// Narrows a G-stage superpage around a non-MSI GPA until it holds no virtual interrupt file page
// (the same rule memvirt uses: the bits above the range must differ from the pattern outside the mask).
void handle_virtual_interrupt_file_overlap(device_context_t *DC, uint64_t gpa, uint64_t *gst_page_sz) {
    if (DC->msiptp.MODE == MSIPTP_Off) return;
    uint64_t m = DC->msi_addr_mask.mask, p = DC->msi_addr_pattern.pattern;
    while (*gst_page_sz > 4096) {
        uint64_t low = (*gst_page_sz >> 12) - 1;
        uint64_t fixed = ~m & ~low & ((1ULL << 47) - 1);
        if (((gpa >> 12) & fixed) != (p & fixed)) return;
        *gst_page_sz >>= 9;
        if (*gst_page_sz < 4096) *gst_page_sz = 4096;
    }
}

static iommu_t iommu;

static void print_response(const iommu_to_hb_rsp_t *rsp) {
    printf("{\"op\":\"translate\",\"status\":\"%s\",\"ppn\":\"0x%" PRIx64 "\",\"s\":%u,\"r\":%u,\"w\":%u,\"x\":%u,\"u\":%u,\"priv\":%u,\"g\":%u,\"pbmt\":%u,\"cause\":%u",
           rsp->status == SUCCESS ? "success" : rsp->status == UNSUPPORTED_REQUEST ? "unsupported-request" : "completer-abort",
           rsp->trsp.PPN, rsp->trsp.S, rsp->trsp.R, rsp->trsp.W, rsp->trsp.Exe, rsp->trsp.U, rsp->trsp.Priv, rsp->trsp.Global, rsp->trsp.PBMT, iommu.cause);
    if (rsp->status == SUCCESS && rsp->trsp.is_mrif)
        printf(",\"mrif\":\"0x%" PRIx64 "\",\"nid\":%u", rsp->trsp.dest_mrif_addr, rsp->trsp.mrif_nid);
    printf("}\n");
}

/** The bridge's part of an MSI to an MRIF-mode page (AIA): discard rules, the pending bit, the notice MSI; 264 when the MRIF is not RAM. */
static void store_to_mrif(const hb_to_iommu_req_t *req, const iommu_to_hb_rsp_t *rsp, uint32_t data) {
    uint64_t a = req->tr.iova;
    if (((a >> 3) & 0x1ff) || (data >> 11) || ((a >> 2) & 1)) return;
    uint64_t at = rsp->trsp.dest_mrif_addr + (uint64_t)(data >> 6) * 16, v;
    if (read_memory(at, 8, (char *)&v, 0, 0, 0, 0) & ACCESS_FAULT) {
        device_context_t DC; uint32_t cause = 0;
        uint8_t dtf = locate_device_context(&iommu, &DC, req->device_id, req->pid_valid, req->process_id, &cause) ? 0 : DC.tc.DTF;
        report_fault(&iommu, 264, a, 0, UNTRANSLATED_WRITE_AMO_TRANSACTION, dtf, req->device_id, req->pid_valid, req->process_id, req->priv_req);
        return;
    }
    v |= 1ULL << (data & 63);
    write_memory((char *)&v, at, 8, 0, 0, 0, 0);
    uint32_t nid = rsp->trsp.mrif_nid;
    write_memory((char *)&nid, rsp->trsp.PPN << 12, 4, 0, 0, 0, 0);
}

/** A request of a `tr` or `breq` line. */
static void request_of(const char *args, hb_to_iommu_req_t *req) {
    unsigned did, pv, pid, access, priv, type; uint64_t iova;
    sscanf(args, "%u %u %u %u %u %u %" SCNx64, &did, &pv, &pid, &access, &priv, &type, &iova);
    memset(req, 0, sizeof *req);
    req->device_id = did; req->pid_valid = pv; req->process_id = pid; req->priv_req = priv;
    // PCIe carries Execute Requested only in the PASID prefix (untranslated requests: the bridge's attribute).
    req->exec_req = access == 2 && (type == 0 || pv); req->no_write = access != 1;
    req->tr.at = type == 0 ? ADDR_TYPE_UNTRANSLATED : type == 1 ? ADDR_TYPE_PCIE_ATS_TRANSLATION_REQUEST : ADDR_TYPE_TRANSLATED;
    req->tr.iova = iova; req->tr.length = 4; req->tr.read_writeAMO = access == 1 ? WRITE : READ;
}

/** Translates one request and prints the response first, then the stores it made (buffered); an MSI also gets the bridge's MRIF part. */
static void translate_and_print(hb_to_iommu_req_t *req, int is_msi, uint32_t data) {
    iommu_to_hb_rsp_t rsp = {0};
    fflush(stdout);
    char *buf = NULL; size_t len = 0;
    FILE *saved = stdout;
    stdout = open_memstream(&buf, &len);
    iommu.cause = 0;
    iommu_translate_iova(&iommu, req, &rsp);
    if (is_msi && rsp.status == SUCCESS && rsp.trsp.is_mrif) store_to_mrif(req, &rsp, data);
    fclose(stdout);
    stdout = saved;
    print_response(&rsp);
    fputs(buf, stdout);
    free(buf);
}

#define MAX_BENCH 64
static hb_to_iommu_req_t bench_reqs[MAX_BENCH];
static unsigned bench_n = 0;

static void run_queue_since(int always, uint64_t before_h, uint64_t before_c) {
    int took = 0;
    for (int n = 0; n < 4096; n++) {
        uint64_t h = read_register(&iommu, 32, 4), c = read_register(&iommu, 72, 4);
        process_commands(&iommu);
        uint64_t h2 = read_register(&iommu, 32, 4), c2 = read_register(&iommu, 72, 4);
        if (h2 == h && c2 == c) break;
        took = 1;
    }
    uint64_t c = read_register(&iommu, 72, 4);
    if (always || took || c != before_c || read_register(&iommu, 32, 4) != before_h)
        printf("{\"op\":\"command\",\"cqh\":%" PRIu64 ",\"illegal\":%s,\"memoryFault\":%s}\n", read_register(&iommu, 32, 4),
               (c >> 10) & 1 ? "true" : "false", (c >> 8) & 1 ? "true" : "false");
}
static void run_queue(int always) { run_queue_since(always, read_register(&iommu, 32, 4), read_register(&iommu, 72, 4)); }

int main(void) {
    char line[512];
    while (fgets(line, sizeof line, stdin)) {
        char op[16];
        if (sscanf(line, "%15s", op) != 1) continue;
        if (!strcmp(op, "reset")) {
            uint64_t caps, fctl;
            sscanf(line + 6, "%" SCNx64 " %" SCNx64, &caps, &fctl);
            for (uint32_t i = 0; i < RAM_PAGES; i++) if (pages[i]) { free(pages[i]); pages[i] = NULL; }
            memset(&iommu, 0, sizeof iommu);
            capabilities_t cap; cap.raw = caps;
            fctl_t f; f.raw = (uint32_t)fctl;
            // No HPM counters; reset to Off; up to 3LVL; 24-bit device_id; GXL and BE read-only; ATS
            // translations not cached; Bare stages report 1 GiB.
            if (reset_iommu(&iommu, 0, 40, 0xff, 3, Off, DDT_3LVL, 0xFFFFFF, 0, 0, 0, cap, f,
                            0x40000000, 0x40000000, 0x40000000, 0x200000, 0x40000000, 0x40000000, 0x40000000, 0x200000) < 0) {
                printf("{\"op\":\"reset-failed\"}\n");
            }
            in_scenario = 1;
        } else if (!strcmp(op, "mem") || !strcmp(op, "mw")) {
            uint64_t a, v;
            sscanf(line + strlen(op), "%" SCNx64 " %" SCNx64, &a, &v);
            if (in_ram(a, 8)) store(a, &v, 8);
        } else if (!strcmp(op, "wr")) {
            unsigned off, size; uint64_t v;
            sscanf(line + 2, "%u %u %" SCNx64, &off, &size, &v);
            write_register(&iommu, off, size, v);
            run_queue(0);
        } else if (!strcmp(op, "rd")) {
            unsigned off, size;
            sscanf(line + 2, "%u %u", &off, &size);
            printf("{\"op\":\"register\",\"offset\":%u,\"value\":\"0x%" PRIx64 "\"}\n", off, read_register(&iommu, off, size));
        } else if (!strcmp(op, "cmd")) {
            uint64_t w[2];
            sscanf(line + 3, "%" SCNx64 " %" SCNx64, &w[0], &w[1]);
            uint64_t cqb = read_register(&iommu, 24, 8), cqt = read_register(&iommu, 36, 4);
            uint64_t at = (((cqb >> 10) & ((1ULL << 44) - 1)) << 12) + cqt * 16;
            if (in_ram(at, 16)) store(at, w, 16);
            uint64_t entries = 1ULL << ((cqb & 0x1f) + 1);
            write_register(&iommu, 36, 4, (cqt + 1) % entries);
            run_queue(1);
        } else if (!strcmp(op, "tr")) {
            hb_to_iommu_req_t req;
            request_of(line + 2, &req);
            translate_and_print(&req, 0, 0);
        } else if (!strcmp(op, "msi")) {
            unsigned did, pv, pid, data; uint64_t iova;
            sscanf(line + 3, "%u %u %u %" SCNx64 " %x", &did, &pv, &pid, &iova, &data);
            hb_to_iommu_req_t req;
            memset(&req, 0, sizeof req);
            req.device_id = did; req.pid_valid = pv; req.process_id = pid; req.no_write = 0;
            req.tr.at = ADDR_TYPE_UNTRANSLATED; req.tr.iova = iova; req.tr.length = 4; req.tr.read_writeAMO = WRITE;
            translate_and_print(&req, 1, data);
        } else if (!strcmp(op, "pr")) {
            unsigned did, pv, pid, priv, exec; uint64_t payload;
            sscanf(line + 2, "%u %u %u %u %u %" SCNx64, &did, &pv, &pid, &priv, &exec, &payload);
            ats_msg_t pr = {0};
            pr.MSGCODE = PAGE_REQ_MSG_CODE; pr.RID = did & 0xffff; pr.DSV = (did >> 16) != 0; pr.DSEG = did >> 16;
            pr.PV = pv; pr.PID = pid; pr.PRIV = priv; pr.EXEC_REQ = exec; pr.PAYLOAD = payload;
            // The outcome line first (queued: pqt moved), then the stores and messages, as memvirt lists them.
            uint64_t pqt = read_register(&iommu, 68, 4);
            fflush(stdout);
            char *buf = NULL; size_t len = 0;
            FILE *saved = stdout;
            stdout = open_memstream(&buf, &len);
            msg_origin = "iommu";
            handle_page_request(&iommu, &pr);
            msg_origin = "command";
            fclose(stdout);
            stdout = saved;
            if (read_register(&iommu, 68, 4) != pqt) printf("{\"op\":\"page-request\",\"queued\":true,\"index\":%" PRIu64 "}\n", pqt);
            else printf("{\"op\":\"page-request\",\"queued\":false}\n");
            fputs(buf, stdout);
            free(buf);
        } else if (!strcmp(op, "ic")) {
            unsigned rid, dsv, dseg, cc; uint64_t itags;
            sscanf(line + 2, "%u %u %u %" SCNx64 " %u", &rid, &dsv, &dseg, &itags, &cc);
            ats_msg_t m = {0};
            m.MSGCODE = INVAL_COMPL_MSG_CODE; m.RID = rid; m.DSV = dsv; m.DSEG = dseg; m.PAYLOAD = (itags & 0xffffffffULL) | ((uint64_t)(cc & 7) << 32);
            // A fence that was waiting may complete inside the call (its DATA store printed there): the
            // completion's line first, then what it let happen, then the queue reported against the state before.
            uint64_t h = read_register(&iommu, 32, 4), c = read_register(&iommu, 72, 4);
            fflush(stdout);
            char *buf = NULL; size_t len = 0;
            FILE *saved = stdout;
            stdout = open_memstream(&buf, &len);
            uint8_t bad = handle_invalidation_completion(&iommu, &m);
            fclose(stdout);
            stdout = saved;
            printf("{\"op\":\"invalidation-completion\",\"expected\":%s}\n", bad ? "false" : "true");
            fputs(buf, stdout);
            free(buf);
            if (!bad) run_queue_since(0, h, c);
        } else if (!strcmp(op, "to")) {
            uint64_t itags;
            sscanf(line + 2, "%" SCNx64, &itags);
            uint64_t h = read_register(&iommu, 32, 4), c = read_register(&iommu, 72, 4);
            do_ats_timer_expiry(&iommu, (uint32_t)itags);
            run_queue_since(0, h, c);
        } else if (!strcmp(op, "breq")) {
            if (bench_n < MAX_BENCH) request_of(line + 4, &bench_reqs[bench_n++]);
        } else if (!strcmp(op, "bench")) {
            unsigned long count = 0;
            sscanf(line + 5, "%lu", &count);
            in_scenario = 0;
            struct timespec t0, t1;
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);   /* CPU time: the machine may be shared */
            for (unsigned long i = 0; i < count && bench_n > 0; i++) {
                iommu_to_hb_rsp_t rsp = {0};
                iommu_translate_iova(&iommu, &bench_reqs[i % bench_n], &rsp);
            }
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
            bench_n = 0;
            printf("{\"op\":\"bench\",\"count\":%lu,\"ns\":%.0f,\"clock\":\"cpu\"}\n", count, (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec));
            fflush(stdout);
        } else if (!strcmp(op, "end")) {
            in_scenario = 0;
            printf("{\"op\":\"end\"}\n");
            fflush(stdout);
        }
    }
    return 0;
}
