// Checks the packages in a folder as a symbol server and a debugger would use them (docs/packaging.md, "Verify
// SourceLink"): every .nupkg has a .snupkg beside it; every lib/<tfm>/<name>.dll in the .nupkg has its portable PDB at
// the same path in the .snupkg, with the PDB id the DLL's CodeView entry names; the PDB carries SourceLink JSON that
// maps the sources to raw.githubusercontent.com at the commit the .nuspec's <repository> names; and every document in
// the PDB is either under that map and tracked by git at that commit (so its URL resolves once the commit is pushed) or
// embedded in the PDB. Every runtimes/<rid>/lib/<tfm>/<name>.dll (docs/packaging.md, "ReadyToRun code") must be either
// a ReadyToRun image for that runtime identifier's platform with the MVID and the PDB id of lib/<tfm>/<name>.dll (the
// same IL, so that the one PDB in the .snupkg serves both), or, for linux-bionic-<arch> (where Android builds resolve),
// lib/<tfm>/<name>.dll byte for byte. Exits 1 with the reason on the first package that fails.
//
//   dotnet run tests/Packaging/check-symbols.cs -- artifacts/pack
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using System.Xml.Linq;

Guid sourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");
Guid embeddedSourceKind = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

if (args.Length != 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: dotnet run tests/Packaging/check-symbols.cs -- <folder with .nupkg and .snupkg files>");
    return 2;
}

string[] packages = Directory.GetFiles(args[0], "*.nupkg").Order(StringComparer.Ordinal).ToArray();
if (packages.Length == 0)
{
    return Fail($"no .nupkg in {args[0]}");
}

Dictionary<string, HashSet<string>> trackedByCommit = new(StringComparer.Ordinal);
foreach (string package in packages)
{
    string name = Path.GetFileName(package);
    string symbols = Path.ChangeExtension(package, ".snupkg");
    if (!File.Exists(symbols))
    {
        return Fail($"{name}: no {Path.GetFileName(symbols)} beside it");
    }

    using ZipArchive nupkg = ZipFile.OpenRead(package);
    using ZipArchive snupkg = ZipFile.OpenRead(symbols);
    ZipArchiveEntry nuspecEntry = nupkg.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/', StringComparison.Ordinal));
    XElement nuspec;
    using (Stream stream = nuspecEntry.Open())
    {
        nuspec = XElement.Load(stream);
    }

    XElement? repository = nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == "repository");
    string? url = repository?.Attribute("url")?.Value;
    string? commit = repository?.Attribute("commit")?.Value;
    if (url is null || commit is null || commit.Length != 40)
    {
        return Fail($"{name}: the nuspec has no <repository> with a url and a 40-digit commit");
    }

    if (!url.StartsWith("https://github.com/", StringComparison.Ordinal))
    {
        return Fail($"{name}: the repository URL {url} is not a github.com URL");
    }

    string rawPrefix = "https://raw.githubusercontent.com/" + url["https://github.com/".Length..].TrimEnd('/') + "/" + commit + "/";
    if (!trackedByCommit.TryGetValue(commit, out HashSet<string>? tracked))
    {
        tracked = GitTrackedFiles(commit);
        trackedByCommit.Add(commit, tracked);
    }

    ZipArchiveEntry[] assemblies = nupkg.Entries
        .Where(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal) && e.FullName.EndsWith(".dll", StringComparison.Ordinal))
        .ToArray();
    if (assemblies.Length == 0)
    {
        return Fail($"{name}: no lib/<tfm>/*.dll");
    }

    foreach (ZipArchiveEntry assembly in assemblies)
    {
        string pdbPath = assembly.FullName[..^".dll".Length] + ".pdb";
        ZipArchiveEntry? pdbEntry = snupkg.GetEntry(pdbPath);
        if (pdbEntry is null)
        {
            return Fail($"{name}: {Path.GetFileName(symbols)} lacks {pdbPath}");
        }

        BlobContentId expectedId;
        using (PEReader pe = new(ToMemory(assembly)))
        {
            DebugDirectoryEntry[] codeView = pe.ReadDebugDirectory().Where(e => e.Type == DebugDirectoryEntryType.CodeView).ToArray();
            if (codeView.Length != 1)
            {
                return Fail($"{name}: {assembly.FullName} has {codeView.Length} CodeView debug entries, not one");
            }

            if (pe.ReadDebugDirectory().Any(e => e.Type == DebugDirectoryEntryType.EmbeddedPortablePdb))
            {
                return Fail($"{name}: {assembly.FullName} embeds its PDB (DebugType embedded): the .snupkg is then useless");
            }

            CodeViewDebugDirectoryData data = pe.ReadCodeViewDebugDirectoryData(codeView[0]);
            expectedId = new BlobContentId(data.Guid, codeView[0].Stamp);
        }

        using MetadataReaderProvider provider = MetadataReaderProvider.FromPortablePdbStream(ToMemory(pdbEntry));
        MetadataReader pdb = provider.GetMetadataReader();
        BlobContentId actualId = new(pdb.DebugMetadataHeader!.Id);
        if (actualId != expectedId)
        {
            return Fail($"{name}: {pdbPath} is not the PDB of {assembly.FullName} (id {actualId.Guid} {actualId.Stamp:x8}, the DLL names {expectedId.Guid} {expectedId.Stamp:x8})");
        }

        string? sourceLink = null;
        foreach (CustomDebugInformationHandle handle in pdb.GetCustomDebugInformation(EntityHandle.ModuleDefinition))
        {
            CustomDebugInformation information = pdb.GetCustomDebugInformation(handle);
            if (pdb.GetGuid(information.Kind) == sourceLinkKind)
            {
                sourceLink = System.Text.Encoding.UTF8.GetString(pdb.GetBlobBytes(information.Value));
            }
        }

        if (sourceLink is null)
        {
            return Fail($"{name}: {pdbPath} has no SourceLink custom debug information");
        }

        List<(string LocalPrefix, string UrlPrefix)> map = [];
        using (JsonDocument json = JsonDocument.Parse(sourceLink))
        {
            foreach (JsonProperty document in json.RootElement.GetProperty("documents").EnumerateObject())
            {
                string target = document.Value.GetString()!;
                if (!document.Name.EndsWith('*') || !target.EndsWith('*') || !target.StartsWith(rawPrefix, StringComparison.Ordinal))
                {
                    return Fail($"{name}: {pdbPath} maps {document.Name} to {target}, not to {rawPrefix}*");
                }

                map.Add((document.Name[..^1], target[..^1]));
            }
        }

        if (map.Count == 0)
        {
            return Fail($"{name}: {pdbPath}'s SourceLink map is empty");
        }

        int linked = 0, embedded = 0;
        foreach (DocumentHandle handle in pdb.Documents)
        {
            string path = pdb.GetString(pdb.GetDocument(handle).Name);
            bool isEmbedded = pdb.GetCustomDebugInformation(handle)
                .Any(h => pdb.GetGuid(pdb.GetCustomDebugInformation(h).Kind) == embeddedSourceKind);
            if (isEmbedded)
            {
                embedded++;
                continue;
            }

            (string LocalPrefix, string UrlPrefix) entry = map.FirstOrDefault(m => path.StartsWith(m.LocalPrefix, StringComparison.Ordinal));
            if (entry.LocalPrefix is null)
            {
                return Fail($"{name}: {pdbPath}: {path} is neither embedded nor under the SourceLink map");
            }

            string relative = (entry.UrlPrefix[rawPrefix.Length..] + path[entry.LocalPrefix.Length..]).Replace('\\', '/');
            if (!tracked.Contains(relative))
            {
                return Fail($"{name}: {pdbPath}: {path} links to {relative}, which git does not track at {commit}");
            }

            linked++;
        }

        if (linked == 0)
        {
            return Fail($"{name}: {pdbPath} links no document");
        }

        Console.WriteLine($"{name}: {assembly.FullName}: PDB matches, {linked} documents by SourceLink at {commit[..12]}, {embedded} embedded");
    }

    foreach (ZipArchiveEntry image in nupkg.Entries.Where(e => e.FullName.StartsWith("runtimes/", StringComparison.Ordinal) && e.FullName.EndsWith(".dll", StringComparison.Ordinal)))
    {
        // runtimes/<rid>/lib/<tfm>/<name>.dll
        string[] parts = image.FullName.Split('/');
        if (parts.Length != 5 || parts[2] != "lib")
        {
            return Fail($"{name}: {image.FullName} is not at runtimes/<rid>/lib/<tfm>/<name>.dll");
        }

        string ilPath = $"lib/{parts[3]}/{parts[4]}";
        ZipArchiveEntry? il = nupkg.GetEntry(ilPath);
        if (il is null)
        {
            return Fail($"{name}: {image.FullName} has no {ilPath} beside it");
        }

        string rid = parts[1];
        if (rid.StartsWith("linux-bionic-", StringComparison.Ordinal))
        {
            if (!ToMemory(image).ToArray().AsSpan().SequenceEqual(ToMemory(il).ToArray()))
            {
                return Fail($"{name}: {image.FullName} is not {ilPath} byte for byte (Android builds must get the plain IL)");
            }

            Console.WriteLine($"{name}: {image.FullName}: the plain IL of {ilPath}");
            continue;
        }

        // The COFF machine of a ReadyToRun image is the architecture's, XOR the operating system's constant (the
        // runtime's PE decoder): an image for another platform does not load. linux-musl-* is Linux.
        ushort? architecture = rid[(rid.LastIndexOf('-') + 1)..] switch
        {
            "x64" => 0x8664,
            "arm64" => 0xAA64,
            _ => null,
        };
        ushort? system = rid.StartsWith("linux-", StringComparison.Ordinal) ? (ushort)0x7B79
            : rid.StartsWith("osx-", StringComparison.Ordinal) ? (ushort)0x4644
            : rid.StartsWith("win-", StringComparison.Ordinal) ? (ushort)0
            : null;
        if (architecture is null || system is null)
        {
            return Fail($"{name}: {image.FullName}: no expected machine type is known for {rid}");
        }

        ushort machine = (ushort)(architecture.Value ^ system.Value);

        (Guid Mvid, BlobContentId Pdb, int NativeHeader, ushort Machine) imageIds = ReadIds(image);
        (Guid Mvid, BlobContentId Pdb, int NativeHeader, ushort Machine) ilIds = ReadIds(il);
        if (imageIds.NativeHeader == 0)
        {
            return Fail($"{name}: {image.FullName} is not a ReadyToRun image (no managed native header)");
        }

        if (imageIds.Machine != machine)
        {
            return Fail($"{name}: {image.FullName} has machine type 0x{imageIds.Machine:X4}, not 0x{machine:X4} ({rid})");
        }

        if (imageIds.Mvid != ilIds.Mvid || imageIds.Pdb != ilIds.Pdb)
        {
            return Fail($"{name}: {image.FullName} is not {ilPath} compiled (MVID {imageIds.Mvid} vs {ilIds.Mvid}, PDB id {imageIds.Pdb.Guid} vs {ilIds.Pdb.Guid})");
        }

        Console.WriteLine($"{name}: {image.FullName}: ReadyToRun for {rid}, the IL and PDB id of {ilPath}");
    }
}

return 0;

static (Guid Mvid, BlobContentId Pdb, int NativeHeader, ushort Machine) ReadIds(ZipArchiveEntry entry)
{
    using PEReader pe = new(ToMemory(entry));
    MetadataReader metadata = pe.GetMetadataReader();
    DebugDirectoryEntry codeView = pe.ReadDebugDirectory().Single(e => e.Type == DebugDirectoryEntryType.CodeView);
    BlobContentId pdb = new(pe.ReadCodeViewDebugDirectoryData(codeView).Guid, codeView.Stamp);
    return (metadata.GetGuid(metadata.GetModuleDefinition().Mvid), pdb, pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size, (ushort)pe.PEHeaders.CoffHeader.Machine);
}

static int Fail(string message)
{
    Console.Error.WriteLine("symbol check failed: " + message);
    return 1;
}

static MemoryStream ToMemory(ZipArchiveEntry entry)
{
    MemoryStream memory = new();
    using (Stream stream = entry.Open())
    {
        stream.CopyTo(memory);
    }

    memory.Position = 0;
    return memory;
}

static HashSet<string> GitTrackedFiles(string commit)
{
    ProcessStartInfo start = new("git", ["ls-tree", "-r", "--name-only", commit])
    {
        RedirectStandardOutput = true,
        UseShellExecute = false,
    };
    using Process git = Process.Start(start)!;
    HashSet<string> files = new(StringComparer.Ordinal);
    while (git.StandardOutput.ReadLine() is { } line)
    {
        files.Add(line);
    }

    git.WaitForExit();
    if (git.ExitCode != 0)
    {
        throw new InvalidOperationException($"git ls-tree {commit} exited with {git.ExitCode}");
    }

    return files;
}
