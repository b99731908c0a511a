/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * Every Perfetto protobuf field number and enum value the exporter
 * writes, in one place, each with the message and field it is and the
 * upstream .proto it comes from (google/perfetto; paths from its root).
 * Field numbers are facts of the wire format; no upstream text is copied.
 *
 * tests/export/ctrace_perfetto.proto is our own schema for the same
 * subset, with the same names; tests/export/check-perfetto checks that
 * each "Message.field" comment below names the number the schema gives
 * it, so neither can drift from the other.  Keep one definition a line:
 *
 *   #define PF_<NAME>  <number>  / * Message.field * /
 */
#ifndef CTRACE_EXPORT_PERFETTO_FIELDS_H
#define CTRACE_EXPORT_PERFETTO_FIELDS_H

/* protos/perfetto/trace/trace.proto */
#define PF_TRACE_PACKET			1	/* Trace.packet */

/* protos/perfetto/trace/trace_packet.proto */
#define PF_TP_FTRACE_EVENTS		1	/* TracePacket.ftrace_events */
#define PF_TP_PROCESS_TREE		2	/* TracePacket.process_tree */
#define PF_TP_CLOCK_SNAPSHOT		6	/* TracePacket.clock_snapshot */
#define PF_TP_TIMESTAMP			8	/* TracePacket.timestamp */
#define PF_TP_SEQUENCE_ID		10	/* TracePacket.trusted_packet_sequence_id */
#define PF_TP_TRACK_EVENT		11	/* TracePacket.track_event */
#define PF_TP_INTERNED_DATA		12	/* TracePacket.interned_data */
#define PF_TP_SEQUENCE_FLAGS		13	/* TracePacket.sequence_flags */
#define PF_TP_SYSTEM_INFO		45	/* TracePacket.system_info */
#define PF_TP_TIMESTAMP_CLOCK_ID	58	/* TracePacket.timestamp_clock_id */
#define PF_TP_TRACK_DESCRIPTOR		60	/* TracePacket.track_descriptor */
#define PF_TP_FIRST_PACKET_ON_SEQUENCE	87	/* TracePacket.first_packet_on_sequence */
#define PF_TP_MACHINE_ID		98	/* TracePacket.machine_id */
/* enum TracePacket.SequenceFlags */
#define PF_SEQ_INCREMENTAL_STATE_CLEARED 1	/* SequenceFlags.SEQ_INCREMENTAL_STATE_CLEARED */
#define PF_SEQ_NEEDS_INCREMENTAL_STATE	2	/* SequenceFlags.SEQ_NEEDS_INCREMENTAL_STATE */

/* protos/perfetto/trace/clock_snapshot.proto */
#define PF_CS_CLOCKS			1	/* ClockSnapshot.clocks */
#define PF_CS_PRIMARY_TRACE_CLOCK	2	/* ClockSnapshot.primary_trace_clock */
#define PF_CLOCK_CLOCK_ID		1	/* Clock.clock_id */
#define PF_CLOCK_TIMESTAMP		2	/* Clock.timestamp */

/* protos/perfetto/common/builtin_clock.proto */
#define PF_CLOCK_REALTIME		1	/* BuiltinClock.BUILTIN_CLOCK_REALTIME */
#define PF_CLOCK_MONOTONIC		3	/* BuiltinClock.BUILTIN_CLOCK_MONOTONIC */
#define PF_CLOCK_BOOTTIME		6	/* BuiltinClock.BUILTIN_CLOCK_BOOTTIME */

/* protos/perfetto/common/system_info.proto */
#define PF_SI_UTSNAME			1	/* SystemInfo.utsname */
#define PF_SI_NUM_CPUS			8	/* SystemInfo.num_cpus */
#define PF_SI_MACHINE_NAME		17	/* SystemInfo.machine_name */
#define PF_UTS_SYSNAME			1	/* Utsname.sysname */
#define PF_UTS_RELEASE			3	/* Utsname.release */
#define PF_UTS_MACHINE			4	/* Utsname.machine */

/* protos/perfetto/trace/ps/process_tree.proto */
#define PF_PT_PROCESSES			1	/* ProcessTree.processes */
#define PF_PT_THREADS			2	/* ProcessTree.threads */
#define PF_PTP_PID			1	/* Process.pid */
#define PF_PTP_CMDLINE			3	/* Process.cmdline */
#define PF_PTP_IS_KTHREAD		8	/* Process.is_kthread */
#define PF_PTP_CMDLINE_IS_COMM		9	/* Process.cmdline_is_comm */
#define PF_PTT_TID			1	/* Thread.tid */
#define PF_PTT_NAME			2	/* Thread.name */
#define PF_PTT_TGID			3	/* Thread.tgid */

/* protos/perfetto/trace/ftrace/ftrace_event_bundle.proto */
#define PF_BUNDLE_CPU			1	/* FtraceEventBundle.cpu */
#define PF_BUNDLE_EVENT			2	/* FtraceEventBundle.event */
#define PF_BUNDLE_LOST_EVENTS		3	/* FtraceEventBundle.lost_events */

/* protos/perfetto/trace/ftrace/ftrace_event.proto */
#define PF_FE_TIMESTAMP			1	/* FtraceEvent.timestamp */
#define PF_FE_PID			2	/* FtraceEvent.pid */
#define PF_FE_SCHED_SWITCH		4	/* FtraceEvent.sched_switch */
#define PF_FE_COMMON_FLAGS		5	/* FtraceEvent.common_flags */
#define PF_FE_SCHED_WAKING		20	/* FtraceEvent.sched_waking */
#define PF_FE_SCHED_WAKEUP_NEW		114	/* FtraceEvent.sched_wakeup_new */
#define PF_FE_TASK_NEWTASK		235	/* FtraceEvent.task_newtask */
#define PF_FE_TASK_RENAME		236	/* FtraceEvent.task_rename */
#define PF_FE_SCHED_PROCESS_EXIT	238	/* FtraceEvent.sched_process_exit */
#define PF_FE_SCHED_PROCESS_FREE	240	/* FtraceEvent.sched_process_free */

/* protos/perfetto/trace/ftrace/sched.proto */
#define PF_SS_PREV_COMM			1	/* SchedSwitchFtraceEvent.prev_comm */
#define PF_SS_PREV_PID			2	/* SchedSwitchFtraceEvent.prev_pid */
#define PF_SS_PREV_STATE		4	/* SchedSwitchFtraceEvent.prev_state */
#define PF_SS_NEXT_COMM			5	/* SchedSwitchFtraceEvent.next_comm */
#define PF_SS_NEXT_PID			6	/* SchedSwitchFtraceEvent.next_pid */
/* SchedWakingFtraceEvent and SchedWakeupNewFtraceEvent number alike */
#define PF_SW_COMM			1	/* SchedWakingFtraceEvent.comm */
#define PF_SW_PID			2	/* SchedWakingFtraceEvent.pid */
#define PF_SW_SUCCESS			4	/* SchedWakingFtraceEvent.success */
#define PF_SW_TARGET_CPU		5	/* SchedWakingFtraceEvent.target_cpu */
#define PF_SWN_COMM			1	/* SchedWakeupNewFtraceEvent.comm */
#define PF_SWN_PID			2	/* SchedWakeupNewFtraceEvent.pid */
#define PF_SWN_SUCCESS			4	/* SchedWakeupNewFtraceEvent.success */
#define PF_SWN_TARGET_CPU		5	/* SchedWakeupNewFtraceEvent.target_cpu */
#define PF_SPE_COMM			1	/* SchedProcessExitFtraceEvent.comm */
#define PF_SPE_PID			2	/* SchedProcessExitFtraceEvent.pid */
#define PF_SPE_TGID			3	/* SchedProcessExitFtraceEvent.tgid */
#define PF_SPF_COMM			1	/* SchedProcessFreeFtraceEvent.comm */
#define PF_SPF_PID			2	/* SchedProcessFreeFtraceEvent.pid */

/* protos/perfetto/trace/ftrace/task.proto */
#define PF_TN_PID			1	/* TaskNewtaskFtraceEvent.pid */
#define PF_TN_COMM			2	/* TaskNewtaskFtraceEvent.comm */
#define PF_TN_CLONE_FLAGS		3	/* TaskNewtaskFtraceEvent.clone_flags */
#define PF_TR_PID			1	/* TaskRenameFtraceEvent.pid */
#define PF_TR_OLDCOMM			2	/* TaskRenameFtraceEvent.oldcomm */
#define PF_TR_NEWCOMM			3	/* TaskRenameFtraceEvent.newcomm */

/* protos/perfetto/trace/track_event/track_descriptor.proto */
#define PF_TD_UUID			1	/* TrackDescriptor.uuid */
#define PF_TD_NAME			2	/* TrackDescriptor.name */
#define PF_TD_PROCESS			3	/* TrackDescriptor.process */
#define PF_TD_THREAD			4	/* TrackDescriptor.thread */
#define PF_TD_PARENT_UUID		5	/* TrackDescriptor.parent_uuid */
#define PF_TD_COUNTER			8	/* TrackDescriptor.counter */

/* protos/perfetto/trace/track_event/process_descriptor.proto */
#define PF_PD_PID			1	/* ProcessDescriptor.pid */
#define PF_PD_PROCESS_NAME		6	/* ProcessDescriptor.process_name */

/* protos/perfetto/trace/track_event/thread_descriptor.proto */
#define PF_THD_PID			1	/* ThreadDescriptor.pid */
#define PF_THD_TID			2	/* ThreadDescriptor.tid */
#define PF_THD_THREAD_NAME		5	/* ThreadDescriptor.thread_name */

/* protos/perfetto/trace/track_event/track_event.proto */
#define PF_TE_CATEGORY_IIDS		3	/* TrackEvent.category_iids */
#define PF_TE_DEBUG_ANNOTATIONS		4	/* TrackEvent.debug_annotations */
#define PF_TE_TYPE			9	/* TrackEvent.type */
#define PF_TE_NAME_IID			10	/* TrackEvent.name_iid */
#define PF_TE_TRACK_UUID		11	/* TrackEvent.track_uuid */
#define PF_TE_NAME			23	/* TrackEvent.name */
#define PF_TE_COUNTER_VALUE		30	/* TrackEvent.counter_value */
#define PF_TE_DOUBLE_COUNTER_VALUE	44	/* TrackEvent.double_counter_value */
#define PF_TE_FLOW_IDS			47	/* TrackEvent.flow_ids */
#define PF_TE_TERMINATING_FLOW_IDS	48	/* TrackEvent.terminating_flow_ids */
/* enum TrackEvent.Type */
#define PF_TYPE_SLICE_BEGIN		1	/* Type.TYPE_SLICE_BEGIN */
#define PF_TYPE_SLICE_END		2	/* Type.TYPE_SLICE_END */
#define PF_TYPE_INSTANT			3	/* Type.TYPE_INSTANT */
#define PF_TYPE_COUNTER			4	/* Type.TYPE_COUNTER */

/* protos/perfetto/trace/track_event/debug_annotation.proto */
#define PF_DA_UINT_VALUE		3	/* DebugAnnotation.uint_value */
#define PF_DA_INT_VALUE			4	/* DebugAnnotation.int_value */
#define PF_DA_STRING_VALUE		6	/* DebugAnnotation.string_value */
#define PF_DA_NAME			10	/* DebugAnnotation.name */

/* protos/perfetto/trace/interned_data/interned_data.proto */
#define PF_ID_EVENT_CATEGORIES		1	/* InternedData.event_categories */
#define PF_ID_EVENT_NAMES		2	/* InternedData.event_names */
/* protos/perfetto/trace/track_event/track_event.proto */
#define PF_EC_IID			1	/* EventCategory.iid */
#define PF_EC_NAME			2	/* EventCategory.name */
#define PF_EN_IID			1	/* EventName.iid */
#define PF_EN_NAME			2	/* EventName.name */

/*
 * Kernel values Perfetto decodes (not protobuf: the kernel's own ABI).
 * include/linux/sched.h: task states as sched_switch reports prev_state;
 * TASK_REPORT_MAX marks a preempted task, and moved as states were added
 * (trace_processor decodes by the kernel version in SystemInfo.utsname).
 */
#define PF_TASK_INTERRUPTIBLE		0x0001	/* S */
#define PF_TASK_UNINTERRUPTIBLE		0x0002	/* D */
#define PF_TASK_STOPPED			0x0004	/* T */
#define PF_EXIT_DEAD			0x0010	/* X */
#define PF_TASK_REPORT_MAX_4_14		0x0100	/* R+ since 4.14 */
#define PF_TASK_REPORT_MAX_4_8		0x1000	/* R+ in [4.8, 4.14) */
#define PF_TASK_REPORT_MAX_OLD		0x0800	/* R+ before 4.8 */
/* Bits above TASK_REPORT_MAX, which no kernel >= 4.14 reports: "?" */
#define PF_TASK_STATE_UNKNOWN_4_14	0x8000
/* include/uapi/linux/sched.h */
#define PF_CLONE_THREAD			0x00010000
/* include/linux/trace_events.h: common_flags of an event in hard IRQ */
#define PF_TRACE_FLAG_HARDIRQ		0x08

#endif
