#ifndef WIRETALE_CPCAP_SHIM_H
#define WIRETALE_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
