/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTRACE_CMDS_H
#define CTRACE_CMDS_H

/* Each returns the process exit status: 0, 1 (failed) or 2 (usage). */
int cmd_record(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_sessions(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_view(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);

#endif
