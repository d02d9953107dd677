#!/bin/sh
# Run as init by tests/storage-suite.sh in a guest with less RAM than the
# file ext2_pressure writes and reads back (FILEMB), on a blank ext2 disk.
mkdir -p /mnt
mount -t ext2 /dev/vda /mnt || { echo "FAIL pressure.mount"; exit 1; }
/tests/ext2_pressure /mnt "${FILEMB:-112}"
st=$?
umount /mnt || { echo "FAIL pressure.umount"; st=1; }
exit $st
