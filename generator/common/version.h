#ifndef AID_VERSION_H
#define AID_VERSION_H
#define AIDIGEST_VERSION "0.1.0"
#endif
